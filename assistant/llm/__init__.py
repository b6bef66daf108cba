"""The local language model: fetched offline, served by llama.cpp, used to route questions the rules are unsure of."""

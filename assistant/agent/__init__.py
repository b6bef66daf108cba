"""The conversational agent: intents and slots, the offline brain, answer composition, the grounding guard and the
loop that runs any LangChain chat model over the tools (see loop.Agent)."""

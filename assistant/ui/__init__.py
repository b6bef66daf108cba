"""The app's parts: rendering of answer events, and the chat, analyst, corpus and settings tabs."""

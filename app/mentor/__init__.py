"""The mentor: intent routing, conversation state, section flow, clarify, interviews."""

"""The transport-free chat core: domain types, the dialogue policy, the ports it needs from
the models, and `ChatCore` (chat.py), which runs one turn for every front door.

Nothing is imported here: the settings name the core's enums (the crisis sensitivity), and
the core reads the settings.
"""

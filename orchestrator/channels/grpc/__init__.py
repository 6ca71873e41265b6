"""The gRPC front door (`emotion_chat.v1.ChatService`)."""

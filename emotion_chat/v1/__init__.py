"""Generated gRPC code for the emotion_chat.v1 contracts (see protos/)."""

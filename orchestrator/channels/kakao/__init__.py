"""The Kakao i OpenBuilder skill front door (the Inside Out bot was reached through
KakaoTalk: one bot per persona, a skill server behind the fallback block)."""

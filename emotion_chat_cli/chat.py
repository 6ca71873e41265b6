"""`emotion-chat chat`: a terminal chat with the orchestrator.

Each reply is shown with the detected emotion, its confidence and the per-stage latency.
Commands: /persona NAME, /history, /forget (erase the conversation), /quit.
"""

from __future__ import annotations

import argparse
import sys
import uuid
from collections.abc import Iterable

import grpc

from emotion_chat.v1 import generator_pb2 as gen_pb
from emotion_chat.v1 import orchestrator_pb2 as pb
from emotion_chat.v1 import orchestrator_pb2_grpc as pb_grpc

KIND_NAMES = {pb.REPLY_KIND_RULE: "rule", pb.REPLY_KIND_GENERATED: "reply",
              pb.REPLY_KIND_CONFIRM_QUESTION: "confirm?", pb.REPLY_KIND_FALLBACK: "fallback"}


def describe(response: pb.ChatResponse) -> str:
    """The line under each reply: emotion, confidence, stage latency."""
    e, t = response.emotion, response.timings
    emotion = f"{e.label} {e.score:.0%}" if e.label else "감정 미확인"
    stages = [f"classify {t.classify_ms:.1f}", f"generate {t.generate_ms:.1f}"]
    if t.consistency_ms:
        stages.append(f"consistency {t.consistency_ms:.1f}")
    stages += [f"state {t.lock_ms + t.load_ms + t.save_ms:.1f}", f"total {t.total_ms:.1f} ms"]
    flags = f" · degraded: {', '.join(response.degraded)}" if response.degraded else ""
    return (f"   [{emotion} · {KIND_NAMES.get(response.kind, '?')} · {response.persona} · "
            f"{' / '.join(stages)}{flags}]")


class ChatSession:
    def __init__(self, stub: pb_grpc.ChatServiceStub, conversation_id: str, persona: str,
                 metadata: list[tuple[str, str]], timeout: float) -> None:
        self.stub = stub
        self.conversation_id = conversation_id
        self.persona = persona
        self.metadata = metadata
        self.timeout = timeout

    def say(self, text: str) -> pb.ChatResponse:
        """Stream one turn, printing the reply as it arrives."""
        request = pb.ChatRequest(conversation_id=self.conversation_id, text=text,
                                 persona=self.persona)
        print("봇: ", end="", flush=True)
        done = pb.ChatResponse()
        for event in self.stub.ChatStream(request, timeout=self.timeout,
                                          metadata=self.metadata):
            if event.HasField("delta"):
                print(event.delta, end="", flush=True)
            elif event.HasField("done"):
                done = event.done
        print()
        print(describe(done))
        self.persona = done.persona or self.persona
        return done

    def command(self, line: str) -> bool:
        """Handle a /command; False to quit."""
        name, _, arg = line[1:].partition(" ")
        if name in ("quit", "exit", "q"):
            return False
        if name == "persona":
            self.persona = arg.strip()
            print(f"(persona: {self.persona or 'default'})")
        elif name == "history":
            conversation = self.stub.GetConversation(
                pb.GetConversationRequest(conversation_id=self.conversation_id),
                timeout=self.timeout, metadata=self.metadata)
            for turn in conversation.turns:
                who = "나" if turn.role == gen_pb.ROLE_USER else "봇"
                print(f"  {who}: {turn.text}" + (f"  ({turn.emotion})" if turn.emotion else ""))
        elif name == "forget":
            deleted = self.stub.DeleteConversation(
                pb.DeleteConversationRequest(conversation_id=self.conversation_id),
                timeout=self.timeout, metadata=self.metadata).deleted
            print("(conversation erased)" if deleted else "(nothing stored)")
        else:
            print("commands: /persona NAME, /history, /forget, /quit")
        return True

    def run(self, lines: Iterable[str], echo: bool) -> int:
        for raw in lines:
            line = raw.strip()
            if not line:
                continue
            if echo:
                print(f"나: {line}")
            if line.startswith("/"):
                if not self.command(line):
                    break
                continue
            try:
                self.say(line)
            except grpc.RpcError as exc:
                print(f"\n(error {exc.code().name}: {exc.details()})")
        return 0


def interactive_lines() -> Iterable[str]:
    while True:
        try:
            yield input("나: ")
        except EOFError:
            return


def run_chat(args: argparse.Namespace) -> int:
    metadata = [("authorization", f"Bearer {args.token}")] if args.token else []
    conversation = args.conversation or f"cli-{uuid.uuid4().hex[:12]}"
    with grpc.insecure_channel(args.target) as channel:
        session = ChatSession(pb_grpc.ChatServiceStub(channel), conversation, args.persona,
                              metadata, args.timeout)
        interactive = sys.stdin.isatty()
        if interactive:
            print(f"emotion-chat ({args.target}, conversation {conversation}); /quit to leave")
        return session.run(interactive_lines() if interactive else sys.stdin, echo=not interactive)

"""`emotion-chat demo`: the whole stack on embedded defaults, and the chat page to open.

Serves until Ctrl-C. `--script` instead runs a short scripted Korean chat in the terminal
(greetings, a confirmation question, persona changes, history) and stops.
"""

from __future__ import annotations

import argparse
import socket

import grpc

from emotion_chat.v1 import orchestrator_pb2_grpc as pb_grpc
from emotion_chat_cli.chat import ChatSession
from emotion_chat_cli.launch import ServiceProcess
from emotion_chat_cli.stack import serve_until_signal, start_stack, stop_on_signals, stop_stack

DEMO_LINES = (
    "안녕!",
    "너 이름이 뭐야?",
    "오늘 드디어 합격 통보 받았어! 너무 좋아",
    "내일 첫 출근인데 잘할 수 있을지 떨려서 잠이 안 와요",
    "응",
    "친구가 내 생일을 또 잊어버렸어. 서운하다",
    "/persona 버럭이",
    "택배가 세 번째 분실됐대요. 진짜 화나네",
    "/persona 슬픔이",
    "키우던 강아지가 너무 보고 싶어",
    "/history",
)
PAGE_PORT = 8080


def port_is_free(port: int) -> bool:
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def run_demo(args: argparse.Namespace) -> int:
    stop = stop_on_signals()
    print("starting the stack: classifier, generator, orchestrator...", flush=True)
    http_port = PAGE_PORT if port_is_free(PAGE_PORT) else 0
    processes = start_stack(free_ports=True, echo=False,
                            extra={"orchestrator": ["--http-port", str(http_port)]})
    orchestrator = processes[-1]
    if args.script:
        return _scripted(processes)
    url = f"{orchestrator.http_url}/"
    print(f"\n  emotion-chat is ready. Open the chat page:  {url}\n"
          f"  API docs {url}docs · gRPC {orchestrator.target} · Ctrl-C stops\n", flush=True)
    return serve_until_signal(processes, stop)


def _scripted(processes: list[ServiceProcess]) -> int:
    orchestrator = processes[-1]
    print(f"stack ready: orchestrator {orchestrator.target} (HTTP {orchestrator.http_url}), "
          f"classifier {processes[0].target}, generator {processes[1].target}\n", flush=True)
    try:
        with grpc.insecure_channel(orchestrator.target) as channel:
            session = ChatSession(pb_grpc.ChatServiceStub(channel), "demo", "", [], 30.0)
            session.run(DEMO_LINES, echo=True)
    finally:
        stop_stack(processes)
    return 0

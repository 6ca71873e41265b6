"""`emotion-chat health`: ask a service's `grpc.health.v1.Health` whether it is SERVING.

The HEALTHCHECK of every image runs it, so it must start fast: this module imports nothing
but the standard library at the top, and grpcio + grpc_health inside `check` (no service
package, no numpy, onnxruntime or torch); `emotion_chat_cli.main` sends `health` here before
it builds the full command line.

Exit codes: 0 SERVING; 1 anything else (NOT_SERVING, unknown service, unreachable, no answer
in time), with one line on stderr saying which; 2 usage errors (argparse's convention).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

PROG = "emotion-chat health"
# Where the default port comes from: the first of these that is set (each image sets its
# service's own), unless --port is given.
PORT_VARIABLES = ("CLASSIFIER_PORT", "GENERATOR_PORT", "RECOMMENDER_PORT", "ORCHESTRATOR_PORT")
DEFAULT_TIMEOUT_S = 3.0

SERVING, NOT_HEALTHY, USAGE = 0, 1, 2


class UsageError(ValueError):
    """The command line (or the environment it falls back on) cannot be used: exit 2."""


def _positive(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be > 0: {text!r}")
    return value


def _port(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a port number: {text!r}") from None
    if not 1 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"must be from 1 to 65535: {text!r}")
    return value


def add_arguments(parser: argparse.ArgumentParser) -> None:
    where = parser.add_mutually_exclusive_group()
    where.add_argument(
        "--target", metavar="HOST:PORT",
        help="the service's gRPC address (any gRPC target, e.g. dns:///name:port); default "
             f"127.0.0.1:PORT, PORT from --port or the first of {', '.join(PORT_VARIABLES)} "
             "that is set")
    where.add_argument("--port", type=_port, help="port on 127.0.0.1 (instead of --target)")
    parser.add_argument("--service", default="", metavar="NAME",
                        help="the service name to ask about, e.g. "
                             "emotion_chat.v1.ClassifierService (default: '', the server "
                             "as a whole)")
    parser.add_argument("--timeout", type=_positive, default=DEFAULT_TIMEOUT_S,
                        metavar="SECONDS",
                        help=f"give up after this long, connecting included (default "
                             f"{DEFAULT_TIMEOUT_S:g})")
    parser.add_argument("--tls", action="store_true",
                        help="connect with TLS (the system's CA roots unless --ca-file)")
    parser.add_argument("--ca-file", type=Path, metavar="F",
                        help="PEM CA bundle that signed the server's certificate "
                             "(implies --tls)")


def add_health(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "health", help="gRPC health check of a running service (exit 0 SERVING, 1 not, "
                       "2 usage); the images' HEALTHCHECK",
        description="Ask a service's grpc.health.v1.Health whether it is SERVING. Exit 0 "
                    "SERVING; 1 NOT_SERVING, unknown service, unreachable or timed out (one "
                    "line on stderr); 2 usage errors.")
    add_arguments(parser)
    parser.set_defaults(func=run)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG, description="Ask a service's grpc.health.v1.Health whether it is SERVING.")
    add_arguments(parser)
    return parser


def default_target(environ: Mapping[str, str]) -> str:
    """`127.0.0.1:PORT` from the first port variable that is set."""
    for name in PORT_VARIABLES:
        value = environ.get(name)
        if value is None or not value.strip():
            continue
        try:
            port = _port(value.strip())
        except argparse.ArgumentTypeError as bad:
            raise UsageError(f"invalid {name}={value!r}: {bad}") from None
        return f"127.0.0.1:{port}"
    raise UsageError(f"no target: give --target HOST:PORT or --port PORT, or set one of "
                     f"{', '.join(PORT_VARIABLES)}")


def target_of(args: argparse.Namespace, environ: Mapping[str, str]) -> str:
    if args.target is not None:
        if not args.target.strip():
            raise UsageError("--target is empty")
        return str(args.target.strip())
    if args.port is not None:
        return f"127.0.0.1:{args.port}"
    return default_target(environ)


def _root_certificates(ca_file: Path | None) -> bytes | None:
    if ca_file is None:
        return None
    try:
        return ca_file.read_bytes()
    except OSError as error:
        reason = (error.strerror or str(error)).lower()
        raise UsageError(f"cannot read --ca-file {str(ca_file)!r}: {reason}") from None


def _one_line(text: str) -> str:
    return " ".join(text.split())


def check(target: str, service: str = "", timeout: float = DEFAULT_TIMEOUT_S,
          tls: bool = False, root_certificates: bytes | None = None) -> tuple[int, str]:
    """(exit code, the line to print) for one Health.Check of `service` at `target`."""
    import grpc
    from grpc_health.v1 import health_pb2, health_pb2_grpc

    name = f"service {service!r}" if service else "server"
    if tls or root_certificates is not None:
        credentials = grpc.ssl_channel_credentials(root_certificates=root_certificates)
        channel = grpc.secure_channel(target, credentials)
    else:
        channel = grpc.insecure_channel(target)
    with channel:
        stub = health_pb2_grpc.HealthStub(channel)
        try:
            response = stub.Check(health_pb2.HealthCheckRequest(service=service),
                                  timeout=timeout)
        except grpc.RpcError as error:
            code = error.code()
            details = _one_line(error.details() or "")
            if code == grpc.StatusCode.DEADLINE_EXCEEDED:
                return NOT_HEALTHY, f"{target}: timed out: no answer within {timeout:g}s"
            if code == grpc.StatusCode.UNAVAILABLE:
                return NOT_HEALTHY, f"{target}: unreachable: {details or 'unavailable'}"
            if code == grpc.StatusCode.NOT_FOUND:
                return NOT_HEALTHY, f"{target}: NOT_FOUND: the server knows no {name}"
            return NOT_HEALTHY, f"{target}: {code.name}: {details or 'health check failed'}"
    status = health_pb2.HealthCheckResponse.ServingStatus.Name(response.status)
    if response.status == health_pb2.HealthCheckResponse.SERVING:
        return SERVING, f"{target}: {name} SERVING"
    return NOT_HEALTHY, f"{target}: {name} {status}"


def run(args: argparse.Namespace, environ: Mapping[str, str] | None = None) -> int:
    try:
        target = target_of(args, os.environ if environ is None else environ)
        roots = _root_certificates(args.ca_file)
    except UsageError as error:
        print(f"{PROG}: {error}", file=sys.stderr, flush=True)
        return USAGE
    code, line = check(target, args.service, args.timeout, args.tls, roots)
    print(line if code == SERVING else f"{PROG}: {line}",
          file=sys.stdout if code == SERVING else sys.stderr, flush=True)
    return code


def main(argv: Sequence[str] | None = None) -> int:
    """`emotion-chat health ARGS` without building the rest of the command line."""
    return run(build_parser().parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())

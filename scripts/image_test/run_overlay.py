"""Run a rendered Kustomize overlay the way a kubelet would, as Docker containers.

Reads the rendered objects (`kustomize build deploy/k8s/overlays/cpu`), and for every
Deployment and StatefulSet replica ("pod") runs its init containers to completion, then its
containers, with the manifest's image, command/args, env (ConfigMap and Secret references
resolved from the rendered objects), runAsUser/runAsGroup/fsGroup, readOnlyRootFilesystem,
dropped capabilities, no privilege escalation, memory limits and CPU requests, and its
volumes:

* emptyDir → a fresh host folder per pod (mode 0777, group fsGroup with setgid, as the
  kubelet makes it), bind-mounted into every container of the pod that mounts it; with
  `medium: Memory` → `--tmpfs` of the sizeLimit in each container that mounts it (not
  shared between the containers of a pod: none of ours passes files through it);
* volumeClaimTemplates / persistentVolumeClaim → a host folder per pod / claim;
* Secret and ConfigMap volumes → a read-only folder with their keys as files.

Only what a single host's network forces is changed: there is no pod network (the private
dockerd runs without a bridge), so every container uses the host's network, every port is
replaced by a free one on 127.0.0.1 (the services get theirs through their own settings, e.g.
CLASSIFIER_PORT, and bind to 127.0.0.1 only), and the in-cluster names of Services
(`classifier.emotion-chat.svc.cluster.local:50052`) in env values and args are replaced by
those addresses (a headless Service behind `dns:///` by every ready pod:
`ipv4:127.0.0.1:P1,127.0.0.1:P2`). Probes (grpc, tcpSocket, httpGet) are run from here.

Then: a chat turn over gRPC, one over HTTP (on another orchestrator replica when there are
two, so the turn continues through the shared Redis store), and the stored conversation; the
images' Docker HEALTHCHECK must report healthy; every pod is stopped as a kubelet does
(preStop sleep, then SIGTERM, SIGKILL at the end of terminationGracePeriodSeconds) and
must exit 0 within the grace period. Everything started is removed at the end.

    python scripts/image_test/run_overlay.py --rendered cpu.yaml [--docker /usr/bin/docker]
"""

from __future__ import annotations

import argparse
import base64
import concurrent.futures
import hashlib
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

LABEL = "emotion-chat.image-test"
PREFIX = "ecit"
WORKLOADS = ("Deployment", "StatefulSet")
# How a container is told to listen on another port, by the kind of program it runs. The
# emotion-chat services read <SERVICE>_<SETTING> (emotion_chat/settings.py and each
# service's settings); a container port's name says which setting it is.
SERVICE_PORT_SETTINGS = {"grpc": ("PORT", "HOST"), "metrics": ("METRICS_PORT", "METRICS_HOST"),
                         "http": ("HTTP_PORT", "HTTP_HOST")}
# Stand-ins for images that cannot be pulled here (no registry but the package indexes).
STAND_INS = {"redis": "emotion-chat/image-test-redis:7"}


def log(message: str) -> None:
    print(f"[run-overlay {time.strftime('%H:%M:%S')}] {message}", flush=True)


class Failure(RuntimeError):
    """The overlay did not run as the manifests say it should."""


# --- the rendered objects -----------------------------------------------------------------

def quantity_bytes(text: str | int) -> int:
    units = {"Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40,
             "k": 10**3, "M": 10**6, "G": 10**9, "T": 10**12}
    match = re.fullmatch(r"(\d+(?:\.\d+)?)([A-Za-z]*)", str(text))
    if not match or match.group(2) not in {"", *units}:
        raise Failure(f"cannot read the quantity {text!r}")
    return int(float(match.group(1)) * units.get(match.group(2), 1))


def quantity_cpu(text: str | int | float) -> float:
    value = str(text)
    return float(value[:-1]) / 1000 if value.endswith("m") else float(value)


@dataclass
class Objects:
    docs: list[dict[str, Any]]

    def find(self, kind: str, name: str) -> dict[str, Any] | None:
        return next((d for d in self.docs if d["kind"] == kind
                     and d["metadata"]["name"] == name), None)

    def data(self, kind: str, name: str, optional: bool = False) -> dict[str, str] | None:
        obj = self.find(kind, name)
        if obj is None:
            if optional:
                return None
            raise Failure(f"{kind} {name} is referenced but not rendered")
        values = {k: str(v) for k, v in (obj.get("data") or {}).items()}
        if kind == "Secret":
            values = {k: base64.b64decode(v).decode() for k, v in values.items()}
            values.update({k: str(v) for k, v in (obj.get("stringData") or {}).items()})
        return values


# --- the plan -----------------------------------------------------------------------------

@dataclass
class Port:
    name: str
    container_port: int
    host_port: int


@dataclass
class Container:
    pod: str
    name: str
    image: str
    init: bool
    spec: dict[str, Any]
    ports: list[Port] = field(default_factory=list)
    docker_name: str = ""
    run_args: list[str] = field(default_factory=list)


@dataclass
class Pod:
    workload: dict[str, Any]
    index: int
    name: str
    labels: dict[str, str]
    containers: list[Container] = field(default_factory=list)
    volumes: dict[str, tuple[str, Any]] = field(default_factory=dict)
    ready: bool = False

    @property
    def spec(self) -> dict[str, Any]:
        spec: dict[str, Any] = self.workload["spec"]["template"]["spec"]
        return spec

    @property
    def grace(self) -> int:
        return int(self.spec.get("terminationGracePeriodSeconds", 30))


class FreePorts:
    """Free TCP ports on 127.0.0.1, none given twice."""

    def __init__(self) -> None:
        self.given: set[int] = set()

    def take(self) -> int:
        while True:
            with socket.socket() as probe:
                probe.bind(("127.0.0.1", 0))
                port = int(probe.getsockname()[1])
            if port not in self.given and port > 20000:
                self.given.add(port)
                return port


class Plan:
    def __init__(self, objects: Objects, state: Path, namespace_default: str = "default",
                 max_replicas: int | None = None, images: dict[str, str] | None = None,
                 keep_volumes: dict[str, Path] | None = None) -> None:
        self.objects = objects
        self.state = state
        self.ports = FreePorts()
        self.images = images or {}
        self.keep_volumes = keep_volumes or {}
        self.pods: list[Pod] = []
        for workload in (d for d in objects.docs if d["kind"] in WORKLOADS):
            replicas = int(workload["spec"].get("replicas", 1))
            if max_replicas is not None:
                replicas = min(replicas, max_replicas)
            for index in range(replicas):
                self.pods.append(self._pod(workload, index))
        self.namespace = next((d["metadata"].get("namespace") for d in objects.docs
                               if d["kind"] in WORKLOADS), namespace_default)

    def _pod(self, workload: dict[str, Any], index: int) -> Pod:
        name = f"{workload['metadata']['name']}-{index}"
        template = workload["spec"]["template"]
        pod = Pod(workload, index, name, dict(template["metadata"].get("labels", {})))
        for init, key in ((True, "initContainers"), (False, "containers")):
            for spec in template["spec"].get(key, []):
                image = spec["image"]
                container = Container(name, spec["name"], image, init, spec)
                container.docker_name = f"{PREFIX}-{name}-{spec['name']}"
                container.ports = [Port(p.get("name", str(p["containerPort"])),
                                        int(p["containerPort"]), self.ports.take())
                                   for p in spec.get("ports", [])]
                pod.containers.append(container)
        return pod

    # Services → addresses of the ready pods they select
    def service_address(self, name: str, port: int, many: bool) -> str:
        service = self.objects.find("Service", name)
        if service is None:
            raise Failure(f"no Service {name} for {name}:{port}")
        spec_port = next((p for p in service["spec"]["ports"] if int(p["port"]) == port), None)
        if spec_port is None:
            raise Failure(f"Service {name} has no port {port}")
        target = spec_port.get("targetPort", port)
        selector = service["spec"].get("selector", {})
        addresses = []
        for pod in self.pods:
            if not selector.items() <= pod.labels.items():
                continue
            for container in pod.containers:
                for p in container.ports:
                    if target in (p.name, p.container_port):
                        addresses.append(f"127.0.0.1:{p.host_port}")
        if not addresses:
            raise Failure(f"Service {name}:{port} selects no pod port")
        return ("ipv4:" + ",".join(addresses)) if many else addresses[0]

    def substitute(self, text: str) -> str:
        """In-cluster Service names → the local addresses (dns:/// → every replica)."""
        ns = re.escape(self.namespace)
        pattern = re.compile(rf"(dns:///)?([a-z0-9-]+)\.{ns}(?:\.svc(?:\.cluster\.local)?)?:(\d+)")

        def replace(match: re.Match[str]) -> str:
            return self.service_address(match.group(2), int(match.group(3)),
                                        many=bool(match.group(1)))
        return pattern.sub(replace, text)


# --- docker -------------------------------------------------------------------------------

class Docker:
    def __init__(self, binary: str) -> None:
        self.binary = binary

    def __call__(self, *args: str, check: bool = True, capture: bool = True,
                 timeout: float | None = None) -> str:
        result = subprocess.run([self.binary, *args], text=True, timeout=timeout,
                                capture_output=capture)
        if check and result.returncode != 0:
            raise Failure(f"docker {' '.join(args[:3])} ... failed ({result.returncode}): "
                          f"{(result.stderr or '').strip()[-2000:]}")
        return (result.stdout or "").strip()

    def inspect(self, name: str) -> dict[str, Any]:
        data: list[dict[str, Any]] = json.loads(self("inspect", name))
        return data[0]

    def logs(self, name: str, lines: int) -> str:
        """The container's last lines, stdout and stderr together."""
        result = subprocess.run([self.binary, "logs", "--tail", str(lines), name], text=True,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        return result.stdout.rstrip()

    def has_image(self, image: str) -> bool:
        return subprocess.run([self.binary, "image", "inspect", image], capture_output=True
                              ).returncode == 0


def env_of(plan: Plan, pod: Pod, container: Container) -> dict[str, str]:
    env: dict[str, str] = {}
    spec = container.spec
    for source in spec.get("envFrom", []):
        prefix = source.get("prefix", "")
        for kind, key in (("ConfigMap", "configMapRef"), ("Secret", "secretRef")):
            if key in source:
                ref = source[key]
                values = plan.objects.data(kind, ref["name"], ref.get("optional", False)) or {}
                env.update({prefix + k: v for k, v in values.items()})
    for item in spec.get("env", []):
        if "value" in item:
            env[item["name"]] = str(item["value"])
            continue
        source = item.get("valueFrom", {})
        for kind, key in (("ConfigMap", "configMapKeyRef"), ("Secret", "secretKeyRef")):
            if key in source:
                ref = source[key]
                values = plan.objects.data(kind, ref["name"], ref.get("optional", False)) or {}
                if ref["key"] in values:
                    env[item["name"]] = values[ref["key"]]
        if "fieldRef" in source:
            path = source["fieldRef"]["fieldPath"]
            env[item["name"]] = {"metadata.name": pod.name, "metadata.namespace": plan.namespace,
                                 "status.podIP": "127.0.0.1", "spec.nodeName": "localhost",
                                 }.get(path, "")
    # $(VAR) references, as the kubelet expands them
    for name, value in env.items():
        env[name] = re.sub(r"\$\(([A-Za-z_][A-Za-z0-9_]*)\)",
                           lambda m: env.get(m.group(1), m.group(0)), value)
    return {k: plan.substitute(v) for k, v in env.items()}


def move_ports(container: Container, env: dict[str, str], args: list[str]) -> list[str]:
    """Tell the program in the container to listen on its host port, on 127.0.0.1 only."""
    if not container.ports:
        return args
    if args[:1] == ["serve"] and len(args) > 1:
        service = args[1].upper().replace("-", "_")
        for port in container.ports:
            if port.name not in SERVICE_PORT_SETTINGS:
                raise Failure(f"{container.docker_name}: no setting known for port {port.name}")
            port_setting, host_setting = SERVICE_PORT_SETTINGS[port.name]
            env[f"{service}_{port_setting}"] = str(port.host_port)
            env[f"{service}_{host_setting}"] = "127.0.0.1"
        return args
    if container.name == "redis" or "redis" in container.image:
        (port,) = container.ports
        return [*args, "--port", str(port.host_port), "--bind", "127.0.0.1"]
    raise Failure(f"{container.docker_name}: do not know how to move its ports")


def prepare_volumes(plan: Plan, pod: Pod) -> None:
    """Host folders for the pod's volumes, made as the kubelet makes them."""
    security = pod.spec.get("securityContext", {})
    fs_group = security.get("fsGroup")
    root = plan.state / "pods" / pod.name
    templates = pod.workload["spec"].get("volumeClaimTemplates", [])
    claims = {t["metadata"]["name"]: t for t in templates}
    volumes = list(pod.spec.get("volumes", []))
    volumes += [{"name": name, "volumeClaimTemplate": t} for name, t in claims.items()]

    def shared_dir(path: Path) -> Path:
        path.mkdir(parents=True, exist_ok=True)
        os.chmod(path, 0o777)
        if fs_group is not None:
            os.chown(path, -1, int(fs_group))
            os.chmod(path, 0o2777)
        return path

    for volume in volumes:
        name = volume["name"]
        kept = plan.keep_volumes.get(f"{pod.name}/{name}")
        if "emptyDir" in volume:
            if (volume["emptyDir"] or {}).get("medium") == "Memory":
                limit = (volume["emptyDir"] or {}).get("sizeLimit")
                pod.volumes[name] = ("tmpfs", quantity_bytes(limit) if limit else None)
            else:
                pod.volumes[name] = ("dir", shared_dir(kept or root / name))
        elif "volumeClaimTemplate" in volume or "persistentVolumeClaim" in volume:
            pod.volumes[name] = ("dir", shared_dir(kept or root / f"claim-{name}"))
        elif "secret" in volume or "configMap" in volume:
            kind, key = ("Secret", "secret") if "secret" in volume else ("ConfigMap", "configMap")
            ref = volume[key]
            ref_name = ref.get("secretName") or ref.get("name")
            values = plan.objects.data(kind, ref_name, ref.get("optional", False)) or {}
            folder = root / name
            folder.mkdir(parents=True, exist_ok=True)
            items = ref.get("items") or [{"key": k, "path": k} for k in values]
            mode = int(ref.get("defaultMode", 0o644))
            for item in items:
                target = folder / item["path"]
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(values.get(item["key"], ""))
                os.chmod(target, int(item.get("mode", mode)))
            os.chmod(folder, 0o755)
            pod.volumes[name] = ("dir", folder)
        else:
            raise Failure(f"{pod.name}: volume {name} of a kind this runner does not know")


def run_args(plan: Plan, pod: Pod, container: Container, docker: Docker) -> list[str]:
    spec = container.spec
    pod_security = pod.spec.get("securityContext", {})
    security = {**pod_security, **spec.get("securityContext", {})}
    args: list[str] = ["--name", container.docker_name, "--label", f"{LABEL}=1",
                       "--label", f"{LABEL}.pod={pod.name}", "--network", "host",
                       "--hostname", pod.name]
    user = security.get("runAsUser")
    group = security.get("runAsGroup")
    if user is not None:
        args += ["--user", f"{user}:{group}" if group is not None else str(user)]
    for extra in [pod_security.get("fsGroup"), *pod_security.get("supplementalGroups", [])]:
        if extra is not None:
            args += ["--group-add", str(extra)]
    if security.get("runAsNonRoot"):
        effective = str(user) if user is not None else \
            docker.inspect(container.image)["Config"].get("User", "")
        if effective.split(":")[0] in ("", "0", "root"):
            raise Failure(f"{container.docker_name}: runAsNonRoot, but it would run as root")
    if security.get("readOnlyRootFilesystem"):
        args.append("--read-only")
    if security.get("allowPrivilegeEscalation") is False:
        args += ["--security-opt", "no-new-privileges"]
    capabilities = security.get("capabilities", {})
    for cap in capabilities.get("drop", []):
        args += ["--cap-drop", cap]
    for cap in capabilities.get("add", []):
        args += ["--cap-add", cap]
    seccomp = security.get("seccompProfile", {}).get("type")
    if seccomp == "Unconfined":
        args += ["--security-opt", "seccomp=unconfined"]
    resources = spec.get("resources", {})
    if "memory" in resources.get("limits", {}):
        args += ["--memory", str(quantity_bytes(resources["limits"]["memory"]))]
    if "cpu" in resources.get("limits", {}):
        args += ["--cpus", str(quantity_cpu(resources["limits"]["cpu"]))]
    # CPU requests are not turned into --cpu-shares: on a 2-core machine running every pod at
    # once, the 100m services would starve behind the 500m init containers for minutes.
    for mount in spec.get("volumeMounts", []):
        kind, source = pod.volumes[mount["name"]]
        target = mount["mountPath"]
        if kind == "tmpfs":
            options = "mode=1777" + (f",size={source}" if source else "")
            args += ["--tmpfs", f"{target}:{options}"]
        else:
            sub = mount.get("subPath")
            host = Path(source) / sub if sub else Path(source)
            args += ["-v", f"{host}:{target}{':ro' if mount.get('readOnly') else ''}"]
    env = env_of(plan, pod, container)
    command = [plan.substitute(str(a)) for a in spec.get("command", [])]
    cargs = [plan.substitute(str(a)) for a in spec.get("args", [])]
    cargs = move_ports(container, env, cargs)
    for key, value in env.items():
        args += ["-e", f"{key}={value}"]
    if command:
        args += ["--entrypoint", command[0]]
    image = plan.images.get(container.image, container.image)
    return [*args, image, *command[1:], *cargs]


# --- probes -------------------------------------------------------------------------------

def host_port(container: Container, port: int | str) -> int:
    for p in container.ports:
        if port in (p.name, p.container_port):
            return p.host_port
    raise Failure(f"{container.docker_name}: probe port {port} is not one of its ports")


def probe_once(container: Container, probe: dict[str, Any]) -> tuple[bool, str]:
    timeout = float(probe.get("timeoutSeconds", 1))
    if "grpc" in probe:
        from emotion_chat_cli.health import check

        target = f"127.0.0.1:{host_port(container, probe['grpc']['port'])}"
        code, line = check(target, probe["grpc"].get("service", ""), max(timeout, 1.0))
        return code == 0, line
    if "tcpSocket" in probe:
        port = host_port(container, probe["tcpSocket"]["port"])
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=timeout):
                return True, f"tcp {port} open"
        except OSError as error:
            return False, f"tcp {port}: {error}"
    if "httpGet" in probe:
        get = probe["httpGet"]
        url = f"http://127.0.0.1:{host_port(container, get['port'])}{get.get('path', '/')}"
        try:
            with urllib.request.urlopen(url, timeout=timeout) as response:
                return 200 <= response.status < 400, f"{url}: {response.status}"
        except OSError as error:
            return False, f"{url}: {error}"
    raise Failure(f"{container.docker_name}: a probe of a kind this runner does not know")


def wait_ready(docker: Docker, container: Container) -> float:
    """Until the startup probe and then the readiness probe pass (polled faster than the
    kubelet does, within the startup probe's budget); the seconds it took."""
    started = time.monotonic()
    spec = container.spec
    startup = spec.get("startupProbe")
    readiness = spec.get("readinessProbe")
    budget = 120.0
    if startup:
        budget = float(startup.get("failureThreshold", 3)) * float(startup.get("periodSeconds", 10))
    last = ""
    for probe in (p for p in (startup, readiness) if p):
        while True:
            state = docker.inspect(container.docker_name)["State"]
            if not state["Running"]:
                logs = docker.logs(container.docker_name, 30)
                raise Failure(f"{container.docker_name} exited ({state['ExitCode']}) before it "
                              f"was ready:\n{logs}")
            ok, last = probe_once(container, probe)
            if ok:
                break
            if time.monotonic() - started > budget:
                raise Failure(f"{container.docker_name} not ready after {budget:.0f} s: {last}")
            time.sleep(0.25)
    return time.monotonic() - started


# --- the run ------------------------------------------------------------------------------

def run_init(docker: Docker, container: Container, timeout: float) -> float:
    started = time.monotonic()
    docker("run", "-d", *container.run_args)
    result = docker("wait", container.docker_name, timeout=timeout)
    code = int(result.splitlines()[-1])
    if code != 0:
        logs = docker.logs(container.docker_name, 40)
        raise Failure(f"init container {container.docker_name} exited {code}:\n{logs}")
    return time.monotonic() - started


def start_pod(plan: Plan, docker: Docker, pod: Pod, init_timeout: float) -> dict[str, float]:
    times: dict[str, float] = {}
    prepare_volumes(plan, pod)
    for container in pod.containers:
        container.run_args = run_args(plan, pod, container, docker)
    for container in (c for c in pod.containers if c.init):
        times[f"init {container.name}"] = run_init(docker, container, init_timeout)
        log(f"{pod.name}: init container {container.name} done in "
            f"{times[f'init {container.name}']:.1f} s")
    for container in (c for c in pod.containers if not c.init):
        docker("run", "-d", *container.run_args)
    for container in (c for c in pod.containers if not c.init):
        times[f"ready {container.name}"] = wait_ready(docker, container)
        log(f"{pod.name}: {container.name} ready in {times[f'ready {container.name}']:.1f} s")
    pod.ready = True
    return times


def chat_checks(plan: Plan) -> dict[str, Any]:
    """A turn over gRPC on the first orchestrator replica, one over HTTP on the last (the
    same conversation, through the shared store), then the stored conversation."""
    import grpc

    from emotion_chat.v1 import orchestrator_pb2 as pb
    from emotion_chat.v1 import orchestrator_pb2_grpc as pb_grpc

    orchestrators = [c for p in plan.pods for c in p.containers
                     if not c.init and c.spec.get("args", [])[:2] == ["serve", "orchestrator"]]
    if not orchestrators:
        raise Failure("no orchestrator in the overlay")
    first, last = orchestrators[0], orchestrators[-1]
    conversation = f"image-test-{os.getpid()}"
    results: dict[str, Any] = {}
    started = time.monotonic()
    with grpc.insecure_channel(f"127.0.0.1:{host_port(first, 'grpc')}") as channel:
        stub = pb_grpc.ChatServiceStub(channel)
        reply = stub.Chat(pb.ChatRequest(conversation_id=conversation,
                                         text="오늘 시험에 합격해서 너무 행복해!"), timeout=30)
    if not reply.reply:
        raise Failure(f"gRPC turn: empty reply: {reply}")
    results["grpc"] = {"replica": first.pod, "reply": reply.reply,
                       "emotion": reply.emotion.label,
                       "ms": round(1000 * (time.monotonic() - started))}
    log(f"gRPC turn on {first.pod}: [{reply.emotion.label}] {reply.reply}")
    base = f"http://127.0.0.1:{host_port(last, 'http')}"
    started = time.monotonic()
    body = json.dumps({"text": "그런데 내일 발표가 있어서 조금 걱정돼."}).encode()
    request = urllib.request.Request(f"{base}/v1/conversations/{conversation}/messages",
                                     data=body, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        turn = json.loads(response.read())
    if not turn.get("reply"):
        raise Failure(f"HTTP turn: empty reply: {turn}")
    results["http"] = {"replica": last.pod, "reply": turn["reply"],
                       "emotion": turn["emotion"].get("label"),
                       "tracks": len(turn.get("tracks", [])), "turn_index": turn.get("turn_index"),
                       "ms": round(1000 * (time.monotonic() - started))}
    log(f"HTTP turn on {last.pod}: [{turn['emotion'].get('label')}] {turn['reply']} "
        f"(turn {turn.get('turn_index')}, {len(turn.get('tracks', []))} tracks)")
    with urllib.request.urlopen(f"{base}/v1/conversations/{conversation}", timeout=10) as response:
        stored = json.loads(response.read())
    turns = stored.get("turns") or stored.get("messages") or []
    results["stored_messages"] = len(turns)
    if len(turns) < 4:
        raise Failure(f"the conversation should hold both turns (4 messages): {stored}")
    log(f"stored conversation: {len(turns)} messages (both turns, both replicas)")
    return results


def wait_healthy(docker: Docker, plan: Plan, timeout: float) -> dict[str, str]:
    """Docker's own view: every running container whose image has a HEALTHCHECK healthy."""
    deadline = time.monotonic() + timeout
    status: dict[str, str] = {}
    while True:
        status = {}
        for container in (c for p in plan.pods for c in p.containers if not c.init):
            health = docker.inspect(container.docker_name)["State"].get("Health")
            status[container.docker_name] = health["Status"] if health else "none"
        waiting = [n for n, s in status.items() if s == "starting"]
        if not waiting or time.monotonic() > deadline:
            break
        time.sleep(1)
    bad = {n: s for n, s in status.items() if s not in ("healthy", "none")}
    if bad:
        details = []
        for name in bad:
            health = docker.inspect(name)["State"].get("Health") or {}
            last = (health.get("Log") or [{}])[-1]
            details.append(f"{name}: {bad[name]}: {str(last.get('Output', '')).strip()}")
        raise Failure("HEALTHCHECK not healthy:\n" + "\n".join(details))
    return status


def stop_pod(docker: Docker, pod: Pod) -> dict[str, Any]:
    """As the kubelet deletes a pod: each container's preStop (a sleep here), then SIGTERM,
    SIGKILL when terminationGracePeriodSeconds (counted from the start) runs out."""
    started = time.monotonic()
    grace = pod.grace
    results = {}

    def one(container: Container) -> dict[str, Any]:
        sleep = (container.spec.get("lifecycle", {}).get("preStop", {})
                 .get("sleep", {}).get("seconds", 0))
        time.sleep(float(sleep))
        left = max(1, int(grace - (time.monotonic() - started)))
        docker("stop", "-t", str(left), container.docker_name, timeout=grace + 30)
        state = docker.inspect(container.docker_name)["State"]
        return {"exit_code": state["ExitCode"], "oom": state["OOMKilled"],
                "seconds": round(time.monotonic() - started, 1), "pre_stop_s": sleep}

    running = [c for c in pod.containers if not c.init]
    with concurrent.futures.ThreadPoolExecutor(len(running)) as pool:
        for container, result in zip(running, pool.map(one, running), strict=True):
            results[container.docker_name] = result
    return results


def remove_everything(docker: Docker, pods: Sequence[Pod] | None = None) -> None:
    """Every container this runner started (with `pods`, only theirs)."""
    names = docker("ps", "-aq", "--filter", f"label={LABEL}=1", check=False).split()
    if pods is not None:
        mine = {c.docker_name for pod in pods for c in pod.containers}
        names = [n for n in docker("ps", "-a", "--format", "{{.Names}}", "--filter",
                                   f"label={LABEL}=1", check=False).split() if n in mine]
    if names:
        docker("rm", "-f", *names, check=False)


def in_parallel(docker: Docker, pods: list[Pod], work: Callable[[Pod], Any]
                ) -> list[tuple[Pod, Any]]:
    """work(pod) for every pod at once; on the first failure every container is removed (so
    the others stop waiting on theirs) before the failure is raised."""
    pool = concurrent.futures.ThreadPoolExecutor(len(pods))
    futures = {pool.submit(work, pod): pod for pod in pods}
    results = []
    try:
        for future in concurrent.futures.as_completed(futures):
            results.append((futures[future], future.result()))
    except BaseException:
        remove_everything(docker, pods)
        raise
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    return results


def init_images(rendered: str) -> dict[str, set[str]]:
    """Workload name → the images of its init containers."""
    found: dict[str, set[str]] = {}
    for doc in (d for d in yaml.safe_load_all(rendered) if d and d["kind"] in WORKLOADS):
        inits = doc["spec"]["template"]["spec"].get("initContainers", [])
        if inits:
            found[doc["metadata"]["name"]] = {c["image"] for c in inits}
    return found


def run_init_early(rendered: str, docker_binary: str, state: Path, keep_volumes_dir: Path,
                   workload: str, max_replicas: int | None, init_timeout: float
                   ) -> dict[str, float]:
    """The init containers of one workload's pods, run ahead of the pods (while other images
    still build), into the kept emptyDir folders: when the pods start, their init containers
    run again and find the work done. What a node does when it has the image early."""
    docker = Docker(docker_binary)
    objects = Objects([d for d in yaml.safe_load_all(rendered) if d])
    keep = kept_volumes(objects, docker, {}, keep_volumes_dir, only=workload)
    plan = Plan(objects, state / "early", max_replicas=max_replicas, keep_volumes=keep)
    pods = [p for p in plan.pods if p.workload["metadata"]["name"] == workload]
    for pod in pods:
        for container in pod.containers:
            container.docker_name += "-early"

    def early(pod: Pod) -> float:
        prepare_volumes(plan, pod)
        started = time.monotonic()
        for container in (c for c in pod.containers if c.init):
            container.run_args = run_args(plan, pod, container, docker)
            run_init(docker, container, init_timeout)
            docker("rm", container.docker_name, check=False)
        return time.monotonic() - started

    try:
        return {pod.name: round(seconds, 1) for pod, seconds in in_parallel(docker, pods, early)}
    finally:
        shutil.rmtree(state / "early", ignore_errors=True)


def kept_volumes(objects: Objects, docker: Docker, images: dict[str, str], folder: Path,
                 only: str | None = None) -> dict[str, Path]:
    """Host folders, kept between runs, for the emptyDirs that init containers fill (as the
    model-pvc component keeps the model): one per pod, volume and init container image and
    arguments, so a rebuilt builder image builds anew. The init container still runs each
    time; the builders skip work already done (`demo-model`, `music default`)."""
    keep: dict[str, Path] = {}
    for doc in (d for d in objects.docs if d["kind"] in WORKLOADS):
        if only is not None and doc["metadata"]["name"] != only:
            continue
        spec = doc["spec"]["template"]["spec"]
        volumes = {v["name"]: v for v in spec.get("volumes", [])}
        for init in spec.get("initContainers", []):
            image_id = docker.inspect(images.get(init["image"], init["image"]))["Id"]
            key = hashlib.sha256(f"{image_id} {init.get('command')} {init.get('args')}"
                                 .encode()).hexdigest()[:12]
            for mount in init.get("volumeMounts", []):
                empty = volumes.get(mount["name"], {}).get("emptyDir", False)
                if empty is False or (empty or {}).get("medium") == "Memory":
                    continue
                for index in range(int(doc["spec"].get("replicas", 1))):
                    pod = f"{doc['metadata']['name']}-{index}"
                    keep[f"{pod}/{mount['name']}"] = folder / f"{pod}-{mount['name']}-{key}"
    return keep


def run(rendered: str, docker_binary: str, state: Path, max_replicas: int | None,
        keep_volumes_dir: Path | None, init_timeout: float, health_timeout: float
        ) -> dict[str, Any]:
    docker = Docker(docker_binary)
    objects = Objects([d for d in yaml.safe_load_all(rendered) if d])
    images: dict[str, str] = {}
    for doc in objects.docs:
        if doc["kind"] not in WORKLOADS:
            continue
        spec = doc["spec"]["template"]["spec"]
        for container in spec.get("initContainers", []) + spec.get("containers", []):
            image = container["image"]
            if docker.has_image(image):
                continue
            stand_in = next((s for key, s in STAND_INS.items()
                             if image.split("/")[-1].startswith(key)), None)
            if stand_in is None or not docker.has_image(stand_in):
                raise Failure(f"image {image} is not built (and has no stand-in here)")
            images[image] = stand_in
            log(f"{image} cannot be pulled here: using {stand_in}")
    keep = kept_volumes(objects, docker, images, keep_volumes_dir) if keep_volumes_dir else {}
    if keep_volumes_dir is not None and keep_volumes_dir.is_dir():
        for folder in keep_volumes_dir.iterdir():  # outputs of builder images now gone
            if folder not in keep.values():
                shutil.rmtree(folder, ignore_errors=True)
    plan = Plan(objects, state, max_replicas=max_replicas, images=images, keep_volumes=keep)
    report: dict[str, Any] = {"pods": {}, "timings": {}}
    remove_everything(docker)
    started = time.monotonic()
    try:
        # Every pod at once, as the kubelets would start them; readiness sorts out the rest.
        log("starting " + ", ".join(p.name for p in plan.pods))
        for pod, times in in_parallel(docker, plan.pods,
                                      lambda pod: start_pod(plan, docker, pod, init_timeout)):
            report["pods"][pod.name] = {"times": times}
        report["timings"]["all ready s"] = round(time.monotonic() - started, 1)
        report["chat"] = chat_checks(plan)
        report["health"] = wait_healthy(docker, plan, health_timeout)
        log("HEALTHCHECK: " + ", ".join(f"{n.removeprefix(PREFIX + '-')} {s}"
                                          for n, s in report["health"].items()))
        stop_started = time.monotonic()
        with concurrent.futures.ThreadPoolExecutor(len(plan.pods)) as pool:
            stops = dict(zip([p.name for p in plan.pods], pool.map(
                lambda pod: stop_pod(docker, pod), plan.pods), strict=True))
        report["timings"]["stop s"] = round(time.monotonic() - stop_started, 1)
        failures = []
        for pod in plan.pods:
            report["pods"][pod.name]["stop"] = stops[pod.name]
            for name, result in stops[pod.name].items():
                log(f"stopped {name.removeprefix(PREFIX + '-')}: exit {result['exit_code']} "
                    f"after {result['seconds']} s (grace {pod.grace} s, preStop "
                    f"{result['pre_stop_s']} s)")
                if result["exit_code"] != 0 or result["seconds"] >= pod.grace:
                    failures.append(f"{name}: exit {result['exit_code']} after "
                                    f"{result['seconds']} s (grace {pod.grace} s)")
        if failures:
            raise Failure("not stopped cleanly within the grace period:\n" + "\n".join(failures))
    finally:
        remove_everything(docker)
        shutil.rmtree(state / "pods", ignore_errors=True)
    report["timings"]["overlay s"] = round(time.monotonic() - started, 1)
    return report


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rendered", type=Path, required=True,
                        help="the rendered overlay (kustomize build output)")
    parser.add_argument("--docker", default="docker", help="docker client to use")
    parser.add_argument("--state", type=Path, required=True, help="folder for the pods' volumes")
    parser.add_argument("--max-replicas", type=int, default=None,
                        help="run at most this many replicas of each workload")
    parser.add_argument("--keep-volumes", type=Path, default=None,
                        help="keep the init containers' emptyDir outputs here between runs")
    parser.add_argument("--init-timeout", type=float, default=900)
    parser.add_argument("--health-timeout", type=float, default=40)
    parser.add_argument("--report", type=Path, default=None, help="write a JSON report here")
    args = parser.parse_args(argv)
    try:
        report = run(args.rendered.read_text(), args.docker, args.state, args.max_replicas,
                     args.keep_volumes, args.init_timeout, args.health_timeout)
    except Failure as failure:
        log(f"FAILED: {failure}")
        return 1
    if args.report:
        args.report.write_text(json.dumps(report, ensure_ascii=False, indent=2))
    log(f"overlay ran, chatted and stopped cleanly in {report['timings']['overlay s']} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())

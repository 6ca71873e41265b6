"""`emotion-chat music synth|index|bench-index`: the recommender's offline tooling (librosa
and the index libraries are imported only inside these commands; the `music` extra)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def _synth(args: argparse.Namespace) -> int:
    from evaluation.progress import progress
    from music.synth import EMOTIONS, write_catalogue

    total = args.per_emotion * len(EMOTIONS)
    with progress(total, "synthesising") as bar:
        path = write_catalogue(args.out, per_emotion=args.per_emotion, seed=args.seed,
                               progress=lambda done, _: bar.update(1))
    print(f"wrote {path} ({total} tracks); index it with: emotion-chat music index "
          f"{args.out} --out DIR")
    return 0


def _index(args: argparse.Namespace) -> int:
    from evaluation.progress import progress
    from music.build import build
    from recommender_service.index import IndexKind

    try:
        from music.build import read_catalogue

        total = len(read_catalogue(args.catalogue))
        with progress(total, "indexing") as bar:
            built = build(args.catalogue, args.out, IndexKind(args.kind),
                          progress=lambda done, _: bar.update(1))
    except ValueError as exc:
        print(f"emotion-chat music index: {exc}", file=sys.stderr)
        return 2
    for skipped in built.skipped:
        print(f"skipped {skipped.track_id}: {skipped.reason}", file=sys.stderr)
    print(f"indexed {built.tracks} tracks ({len(built.skipped)} skipped) into {built.directory}"
          f" in {built.seconds:.1f} s; serve with: emotion-chat serve recommender "
          f"--index-dir {built.directory}")
    return 0


def _default(args: argparse.Namespace) -> int:
    from music.build import ensure_default

    print(ensure_default(home=args.home))
    return 0


def _bench_index(args: argparse.Namespace) -> int:
    from music.ann_bench import main

    argv = ["--sizes", args.sizes, "--queries", str(args.queries), "--seed", str(args.seed)]
    return main(argv + (["--vectors", str(args.vectors)] if args.vectors else []))


def add_music(commands: argparse._SubParsersAction) -> None:
    music = commands.add_parser("music", help="the recommender's catalogue and index tooling")
    kinds = music.add_subparsers(dest="what", required=True, metavar="WHAT")

    synth = kinds.add_parser("synth", help="synthesise an original catalogue (the default one)")
    synth.add_argument("--out", type=Path, required=True)
    synth.add_argument("--per-emotion", type=int, default=12)
    synth.add_argument("--seed", type=int, default=0)
    synth.set_defaults(func=_synth)

    index = kinds.add_parser("index", help="MFCC features + nearest-neighbour index of a "
                                           "catalogue folder (audio files + catalogue.csv)")
    index.add_argument("catalogue", type=Path)
    index.add_argument("--out", type=Path, required=True)
    index.add_argument("--kind", default="hnsw", choices=("annoy", "hnsw", "exact"),
                       help="hnsw (hnswlib: the best recall measured, see README), annoy "
                            "(the seed's) or exact")
    index.set_defaults(func=_index)

    default = kinds.add_parser("default", help="the embedded catalogue and its index, built "
                                               "once (what `serve all` uses)")
    default.add_argument("--home", type=Path, default=None,
                         help="build under this folder (catalogue/, index/) instead of the "
                              "data home's music/")
    default.set_defaults(func=_default)

    bench = kinds.add_parser("bench-index", help="recall@5 and latency of the ANN libraries")
    bench.add_argument("--sizes", default="720,100000", help="comma-separated index sizes")
    bench.add_argument("--queries", type=int, default=1000, help="queries per size")
    bench.add_argument("--vectors", type=Path, default=None,
                       help="real track vectors (.npy, n × 40) for the first size")
    bench.add_argument("--seed", type=int, default=0)
    bench.set_defaults(func=_bench_index)

"""Load benchmarks: the bare model, our services, Triton's dynamic batcher, the baseline."""

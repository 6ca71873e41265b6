import pytest
from servers import running_classifier, running_generator, running_orchestrator


@pytest.fixture(scope="module")
async def downstream(tiny_model_dir):
    """A real classifier (tiny ONNX model) and generator (reply bank) on free ports."""
    async with running_classifier(tiny_model_dir) as classifier, running_generator() as gen:
        yield classifier.target, gen.target


@pytest.fixture(scope="module")
async def orch(downstream):
    """An orchestrator that answers every classified message (thresholds 0) and streams the
    generator's deltas as they come (no consistency check, which sends a reply whole)."""
    async with running_orchestrator(*downstream, answer_threshold=0.0,
                                    confirm_threshold=0.0, consistency_check=False) as running:
        yield running

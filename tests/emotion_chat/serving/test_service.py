"""CoreService: the part of a GrpcService that every service shares."""

from __future__ import annotations

import pytest
from prometheus_client import CollectorRegistry

from classifier_service.service import ClassifierService
from classifier_service.settings import ClassifierSettings
from emotion_chat.errors import NotReadyError
from emotion_chat.serving.service import CoreService
from generator_service.service import GeneratorService
from generator_service.settings import GeneratorSettings


class Echo(CoreService[str]):
    name = "echo"
    service_name = "test.Echo"
    starting = "the echo is still warming up"


def test_core_is_not_ready_until_startup_built_it() -> None:
    service = Echo(None)
    with pytest.raises(NotReadyError, match="the echo is still warming up"):
        _ = service.core
    service._core = "ready"
    assert service.core == "ready"
    assert list(service.service_names) == ["test.Echo"]
    assert service.interceptors() == [] and list(service.side_servers()) == []


def test_each_service_keeps_its_own_registry_and_words() -> None:
    registry = CollectorRegistry()
    classifier = ClassifierService(ClassifierSettings(), registry)
    generator = GeneratorService(GeneratorSettings())
    assert classifier.registry is registry and generator.registry is not registry
    assert classifier.service_names == ("emotion_chat.v1.ClassifierService",)
    with pytest.raises(NotReadyError, match="model is still loading"):
        _ = classifier.model_info
    with pytest.raises(NotReadyError, match="generator backend is still starting"):
        _ = generator.core

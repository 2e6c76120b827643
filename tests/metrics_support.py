"""Reading a Prometheus scrape in tests: every sample by name and labels, and what changed."""

from __future__ import annotations

from prometheus_client.parser import text_string_to_metric_families

Sample = tuple[str, frozenset[tuple[str, str]]]


def parse(text: str) -> dict[Sample, float]:
    """Every sample of a text-format scrape, keyed by (sample name, its labels)."""
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def value(samples: dict[Sample, float], name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


def label_values(samples: dict[Sample, float]) -> set[str]:
    return {label for _, labels in samples for _, label in labels}


class Scrapes:
    """Counters are process-wide and other tests move them too: assert what changed."""

    def __init__(self, before: dict[Sample, float], after: dict[Sample, float]) -> None:
        self.before, self.after = before, after

    def delta(self, name: str, **labels: str) -> float:
        return value(self.after, name, **labels) - value(self.before, name, **labels)

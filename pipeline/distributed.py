"""Run the work of the stages after ingest on a Dask cluster, or locally as before.

With a scheduler address (``python -m pipeline --scheduler tcp://host:8786 code``, or the environment
variable ``DASK_SCHEDULER``) two things go to the cluster's workers, in partitions of redacted text:

* **Embedding**: :class:`pipeline.nlp.embed.Embedder` sends the texts it has not cached yet to the
  workers (:func:`encode_on_cluster`, ``partition_size`` texts a task); each worker loads the encoder
  once and returns vectors, which the client stores in the consultation's cache. Every stage that
  embeds (coding, topics, plan-check) gains.
* **Coding**: the coder, question inferer and stance classifier are fitted once on the client, sent to
  every worker, and each partition of statements is coded there (:func:`code_statements`); the tables
  are put back together in ``statement_id`` order, the same as a local run.

What does not scale with workers: ingest (it reads the unredacted returns, which never leave the
machine that holds them: only redacted statements are sent), fitting the coder, the topic model fit
(UMAP on a seeded sample and HDBSCAN, on the client), triangulation and the reports.

Without an address nothing here imports Dask, and every function runs locally.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd
import typer

log = logging.getLogger(__name__)

#: Environment variable holding the scheduler address (``--scheduler`` sets it).
ENV = "DASK_SCHEDULER"
#: Texts or statements per task.
PARTITION_SIZE = 2048
#: Below this many texts to embed, embedding stays local (a round trip to the cluster costs more).
MIN_DISTRIBUTED_TEXTS = 256


class SchedulerError(RuntimeError):
    """The Dask scheduler named by ``--scheduler`` / ``DASK_SCHEDULER`` cannot be reached."""


def scheduler_option(
    ctx: typer.Context,
    scheduler: str | None = typer.Option(
        None, "--scheduler", envvar="DASK_SCHEDULER", metavar="ADDRESS",
        help="Dask scheduler (tcp://host:8786): embed and code on its workers (pipeline/distributed.py). "
             "Default: run locally."),
) -> None:
    """Options for every command, given before it: ``python -m pipeline --scheduler tcp://host:8786 code``.

    Ingest always runs on this machine: it reads the unredacted returns, which never go to a worker.
    """
    if ctx.invoked_subcommand == "ingest":
        os.environ.pop(ENV, None)
    elif scheduler:
        os.environ[ENV] = scheduler


def scheduler_address(address: str | None = None) -> str | None:
    """The scheduler to use: ``address``, else ``$DASK_SCHEDULER``, else ``None`` (run locally)."""
    value = (address or os.environ.get(ENV) or "").strip()
    return value or None


@lru_cache(maxsize=4)
def _connect(address: str):
    try:
        from distributed import Client
    except ImportError as exc:  # pragma: no cover - dask is a dependency
        raise SchedulerError("Dask is not installed: run `make setup`.") from exc
    try:
        client = Client(address, timeout="30s", set_as_default=False)
    except (OSError, TimeoutError) as exc:
        raise SchedulerError(f"Could not reach the Dask scheduler at {address} ({exc}). Check the address "
                             f"(--scheduler or {ENV}) and that `dask scheduler` is running there.") from exc
    log.info("running on the Dask cluster at %s (%d workers)", address, len(client.scheduler_info()["workers"]))
    return client


def _in_worker() -> bool:
    try:
        from distributed import get_worker

        get_worker()
    except (ImportError, ValueError):
        return False
    return True


def active_client(address: str | None = None):
    """The Dask client for the configured scheduler, or ``None`` when none is set or inside a worker (run locally)."""
    found = scheduler_address(address)
    return _connect(found) if found and not _in_worker() else None


def partitions(n: int, size: int = PARTITION_SIZE) -> list[slice]:
    """Contiguous slices of ``range(n)`` of at most ``size`` items."""
    size = max(1, int(size))
    return [slice(i, min(i + size, n)) for i in range(0, n, size)]


def _encode_partition(texts: list[str], model_name: str, encode_batch: int) -> np.ndarray:
    from pipeline.nlp.embed import load_model

    model = load_model(model_name)
    return np.asarray(model.encode(texts, batch_size=encode_batch, normalize_embeddings=True, convert_to_numpy=True,
                                   show_progress_bar=False), dtype=np.float32)


def encode_on_cluster(client, texts: Sequence[str], model_name: str, batch_size: int = 64,
                      partition_size: int = PARTITION_SIZE) -> np.ndarray:
    """Embed ``texts`` on the cluster's workers, a partition a task; rows in the order of ``texts``."""
    texts = list(texts)
    parts = [texts[s] for s in partitions(len(texts), partition_size)]
    # (``batch_size`` is an argument of ``client.map`` itself, hence ``encode_batch``.)
    futures = client.map(_encode_partition, parts, model_name=model_name, encode_batch=batch_size, pure=False)
    vectors = client.gather(futures)
    log.info("embedded %d texts on the cluster in %d partitions", len(texts), len(parts))
    return np.vstack(vectors) if vectors else np.zeros((0, 0), dtype=np.float32)


def _code_partition(statements: pd.DataFrame, models: tuple, analyst: pd.DataFrame | None):
    from pipeline.coding.stage import code_statements as local

    coder, question_inferer, stance_classifier = models
    return local(statements, coder, question_inferer, stance_classifier, analyst)


def code_statements(statements: pd.DataFrame, coder: Any, question_inferer: Any, stance_classifier: Any,
                    analyst: pd.DataFrame | None = None, client: Any = None,
                    partition_size: int = PARTITION_SIZE) -> tuple[pd.DataFrame, pd.DataFrame]:
    """:func:`pipeline.coding.stage.code_statements` on the cluster's workers when one is set, else locally.

    The statements are sorted by ``statement_id`` and cut into contiguous partitions; each is coded by
    the same fitted models (sent to every worker once), and the partitions' tables are concatenated in
    order, which is the order a local run gives. Embed the statements first (the coding stage's
    embedder does, through the cluster), so that the models the workers receive carry their vectors.

    Args:
        statements: Statements to code (not modified).
        coder: A fitted coder.
        question_inferer: A fitted question inferer.
        stance_classifier: A fitted stance classifier.
        analyst: The analyst's decisions, or ``None``.
        client: A Dask client (default: :func:`active_client`; ``None`` then means local).
        partition_size: Statements per task.

    Returns:
        ``(statements, codes)`` as :func:`pipeline.coding.stage.code_statements` returns them.
    """
    from pipeline.coding.stage import code_statements as local

    client = client if client is not None else active_client()
    if client is None or len(statements) <= partition_size:
        return local(statements, coder, question_inferer, stance_classifier, analyst)
    ordered = statements.sort_values("statement_id", kind="mergesort").reset_index(drop=True)
    embedder = getattr(coder, "embedder_", None)
    if embedder is not None and hasattr(embedder, "add"):
        # Embedded here (through the cluster) so the vectors reach the consultation's cache and travel
        # with the models, rather than being computed again on each worker and lost.
        embedder.encode(ordered["text"].astype(str).tolist())
    parts = [ordered.iloc[s] for s in partitions(len(ordered), partition_size)]
    [models] = client.scatter([(coder, question_inferer, stance_classifier)], broadcast=True)
    futures = client.map(_code_partition, parts, models=models, analyst=analyst, pure=False)
    results = client.gather(futures)
    log.info("coded %d statements on the cluster in %d partitions", len(ordered), len(parts))
    st = pd.concat([r[0] for r in results], ignore_index=True)
    codes = pd.concat([r[1] for r in results], ignore_index=True)
    return st, codes

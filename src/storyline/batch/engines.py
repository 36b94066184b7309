"""Where batch tasks run: in this process (local), on a Dask cluster, or on a Ray cluster; one small interface over the three."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import Any

from storyline.settings import RETRIES

ENGINES = ("local", "dask", "ray")

# One core per worker: BLAS and tokenizer thread pools off, so N workers use N cores.
_ONE_THREAD = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


class EngineError(Exception):
    """The engine cannot be started or reached (not installed, bad address, …)."""


def _warm_worker() -> int:
    """Load the models once in a worker process, before its first task (returns the pid)."""
    from storyline.nlp.annotate import load_nlp

    load_nlp()
    return os.getpid()


class Engine:
    """submit(fn, *args) → handle; as_completed(handles) yields (handle, result); close()."""

    name = "engine"
    workers = 1

    def submit(self, fn: Callable, *args: Any, key: str | None = None) -> Any:
        raise NotImplementedError

    def as_completed(self, handles: list[Any]) -> Iterator[tuple[Any, Any]]:
        raise NotImplementedError

    def gather(self, handles: list[Any]) -> list[Any]:
        done = dict((id(h), r) for h, r in self.as_completed(list(handles)))
        return [done[id(h)] for h in handles]

    def pick(self, handle: Any, index: int) -> Any:
        """A handle to `result[index]` that stays where the result is (a shuffle's map output, per bucket)."""
        return self.submit(_item, handle, index)

    def close(self) -> None:
        pass

    def __enter__(self) -> Engine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _item(seq: Any, index: int) -> Any:
    return seq[index]


class LocalEngine(Engine):
    """Runs each task at once in this process: the reference the distributed engines must match."""

    name = "local"

    def submit(self, fn: Callable, *args: Any, key: str | None = None) -> Any:
        args = tuple(a.result() if isinstance(a, _Done) else a for a in args)
        try:
            return _Done(fn(*args))
        except Exception as e:  # noqa: BLE001 - raised where a distributed engine raises it: on collecting
            return _Done(None, e)

    def as_completed(self, handles: list[Any]) -> Iterator[tuple[Any, Any]]:
        for h in handles:
            yield h, h.result()


class _Done:
    __slots__ = ("value", "error")

    def __init__(self, value: Any, error: Exception | None = None):
        self.value, self.error = value, error

    def result(self) -> Any:
        if self.error is not None:
            raise self.error
        return self.value


class DaskEngine(Engine):
    """Dask distributed: a cluster at `address`, or a local cluster of `workers` processes (one thread each)."""

    name = "dask"

    def __init__(self, workers: int = 2, address: str | None = None):
        try:
            from distributed import Client, LocalCluster
        except ImportError as e:
            raise EngineError("the dask engine needs dask[distributed]: pip install 'dask[distributed]'") from e
        self._cluster = None
        try:
            if address:
                self.client = Client(address, timeout="20s")
            else:
                os.environ.update(_ONE_THREAD)  # inherited by the worker processes
                self._cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                             dashboard_address=None, memory_limit=0, silence_logs=40)
                self.client = Client(self._cluster)
        except OSError as e:
            raise EngineError(f"cannot reach the Dask scheduler at {address or 'a local cluster'} ({e})") from e
        self.workers = len(self.client.scheduler_info(n_workers=-1)["workers"]) or workers
        self.client.run(_warm_worker)  # models load once per worker, before the first task

    def submit(self, fn: Callable, *args: Any, key: str | None = None) -> Any:
        kw = {"key": key} if key else {}
        return self.client.submit(fn, *args, retries=RETRIES, pure=False, **kw)

    def as_completed(self, handles: list[Any]) -> Iterator[tuple[Any, Any]]:
        from distributed import as_completed

        # the engine's own loop: without it, as_completed binds to whichever Client is current in this
        # thread (another client's loop), and its asyncio.Event then belongs to a different event loop
        for fut in as_completed(handles, loop=self.client.loop):
            yield fut, fut.result()

    def close(self) -> None:
        self.client.close()
        if self._cluster is not None:
            self._cluster.close()


class RayEngine(Engine):
    """Ray: a cluster at `address`, or a local one with `workers` CPUs."""

    name = "ray"

    def __init__(self, workers: int = 2, address: str | None = None):
        try:
            import ray
        except ImportError as e:
            raise EngineError("the ray engine needs Ray: pip install 'ray'") from e
        self.ray = ray
        os.environ.update(_ONE_THREAD)
        try:
            if address:
                ray.init(address=address, log_to_driver=False)
            else:
                ray.init(num_cpus=workers, include_dashboard=False, log_to_driver=False,
                         runtime_env={"env_vars": dict(_ONE_THREAD)})
        except (ConnectionError, RuntimeError, ValueError) as e:
            raise EngineError(f"cannot start or reach Ray at {address or 'a local cluster'} ({e})") from e
        self.workers = int(ray.cluster_resources().get("CPU", workers))
        self._remote: dict[Callable, Any] = {}
        warm = ray.remote(num_cpus=1)(_warm_worker)
        ray.get([warm.remote() for _ in range(self.workers)])

    def submit(self, fn: Callable, *args: Any, key: str | None = None) -> Any:
        if fn not in self._remote:
            self._remote[fn] = self.ray.remote(num_cpus=1, max_retries=RETRIES, retry_exceptions=True)(fn)
        return self._remote[fn].remote(*args)

    def as_completed(self, handles: list[Any]) -> Iterator[tuple[Any, Any]]:
        pending = list(handles)
        while pending:
            ready, pending = self.ray.wait(pending, num_returns=1)
            for ref in ready:
                yield ref, self.ray.get(ref)

    def close(self) -> None:
        self.ray.shutdown()


def open_engine(name: str, workers: int = 2, address: str | None = None) -> Engine:
    if name == "local":
        return LocalEngine()
    if name == "dask":
        return DaskEngine(workers, address)
    if name == "ray":
        return RayEngine(workers, address)
    raise EngineError(f"unknown engine {name!r}; choose one of {', '.join(ENGINES)}")

"""`python -m bench [name ...]`: run every benchmark module here that has a main(), or
only the ones named, each in a process of its own (each sets up Django and its own
throwaway database), and print their figures. Exits non-zero if any of them failed."""

import importlib
import pkgutil
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def modules() -> list[str]:
    names = []
    for info in pkgutil.iter_modules([str(HERE)]):
        if info.name.startswith("_"):
            continue
        if callable(getattr(importlib.import_module(f"bench.{info.name}"), "main", None)):
            names.append(info.name)
    return sorted(names)


def main(argv: list[str]) -> int:
    available = modules()
    unknown = [name for name in argv if name not in available]
    if unknown:
        print(f"No benchmark named {', '.join(unknown)}; there are: {', '.join(available)}")
        return 2
    failed = []
    for name in argv or available:
        print(f"== bench.{name}", flush=True)
        code = f"import sys, bench.{name} as m; sys.exit(m.main([]))"
        result = subprocess.run([sys.executable, "-c", code], cwd=HERE.parent)
        if result.returncode:
            print(f"== bench.{name} exited with {result.returncode}", flush=True)
            failed.append(name)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

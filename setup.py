"""Package layout (everything else is in pyproject.toml).

The top-level folders ``models/`` and ``service/`` install as ``tomtat.models`` and
``tomtat.service``; their subpackages are discovered, so none can be left out of the wheel.
"""

from setuptools import find_packages, setup

TOP_LEVEL = {"models": "models", "service": "service"}
subpackages = find_packages(include=[f"{name}{suffix}" for name in TOP_LEVEL for suffix in ("", ".*")])

setup(
    packages=["tomtat", *(f"tomtat.{package}" for package in subpackages)],
    package_dir={"tomtat": "tomtat", **{f"tomtat.{name}": folder for name, folder in TOP_LEVEL.items()}},
)

"""Blueprints of /api/v1."""

from __future__ import annotations

from types import ModuleType


def resource_modules() -> list[ModuleType]:
    """Every /api/v1 module, in registration order: each has a blueprint ``bp``; documented ones ``PATHS``."""
    from ella_app.api.v1 import (
        alleles,
        analyses,
        assessments,
        broadcasts,
        config,
        genepanels,
        igv,
        import_jobs,
        openapi,
        overview,
        references,
        status,
        ui,
        users,
        workflows,
    )

    return [
        status,
        users,
        openapi,
        config,
        broadcasts,
        overview,
        analyses,
        workflows,
        alleles,
        assessments,
        references,
        genepanels,
        igv,
        ui,
        import_jobs,
    ]

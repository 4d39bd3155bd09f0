"""Blueprints of /api/v1."""

from __future__ import annotations

from types import ModuleType


def resource_modules() -> list[ModuleType]:
    """Every /api/v1 module, in registration order: each has a blueprint ``bp``; documented ones ``PATHS``."""
    from ella_app.api.v1 import (
        acmg,
        alleles,
        analyses,
        assessments,
        attachments,
        broadcasts,
        config,
        customannotations,
        filterconfigs,
        geneassessments,
        genepanels,
        igv,
        import_jobs,
        openapi,
        overview,
        references,
        search,
        status,
        ui,
        users,
        workflow_extras,
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
        search,
        attachments,
        geneassessments,
        customannotations,
        workflow_extras,
        filterconfigs,
        ui,
        acmg,
        import_jobs,
    ]

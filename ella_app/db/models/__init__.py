"""All models; importing this package registers every table on ``Base.metadata``."""

from ella_app.db.base import Base
from ella_app.db.models.analysis import (
    Analysis,
    AnalysisInterpretation,
    AnalysisInterpretationSnapshot,
    InterpretationLog,
    InterpretationStateHistory,
    Sample,
)
from ella_app.db.models.annotationshadow import AnnotationShadowTranscript
from ella_app.db.models.assessment import (
    AlleleAssessment,
    AlleleAssessmentAttachment,
    AlleleReport,
    Attachment,
    GeneAssessment,
    ReferenceAssessment,
)
from ella_app.db.models.filterconfig import FilterConfig, UserGroupFilterConfig
from ella_app.db.models.filterresult import FilterInvalidation, FilterResult
from ella_app.db.models.genepanel import (
    Gene,
    GenePanel,
    GenePanelPhenotype,
    GenePanelTranscript,
    Phenotype,
    Transcript,
)
from ella_app.db.models.ops import AnnotationConfig, AnnotationJob, Broadcast, CliLog, ResourceLog, UiException
from ella_app.db.models.reference import Reference
from ella_app.db.models.user import (
    User,
    UserGroup,
    UserGroupGenePanel,
    UserGroupImport,
    UserOldPassword,
    UserSession,
)
from ella_app.db.models.variant import (
    Allele,
    AlleleInterpretation,
    Annotation,
    CustomAnnotation,
    Genotype,
    GenotypeAllele,
    GenotypeSampleData,
)

__all__ = [
    "Allele",
    "AlleleAssessment",
    "AlleleAssessmentAttachment",
    "AlleleInterpretation",
    "AlleleReport",
    "Analysis",
    "AnalysisInterpretation",
    "AnalysisInterpretationSnapshot",
    "Annotation",
    "AnnotationConfig",
    "AnnotationJob",
    "AnnotationShadowTranscript",
    "Attachment",
    "Base",
    "Broadcast",
    "CliLog",
    "CustomAnnotation",
    "FilterConfig",
    "FilterInvalidation",
    "FilterResult",
    "Gene",
    "GeneAssessment",
    "GenePanel",
    "GenePanelPhenotype",
    "GenePanelTranscript",
    "Genotype",
    "GenotypeAllele",
    "GenotypeSampleData",
    "InterpretationLog",
    "InterpretationStateHistory",
    "Phenotype",
    "Reference",
    "ReferenceAssessment",
    "ResourceLog",
    "Sample",
    "Transcript",
    "UiException",
    "User",
    "UserGroup",
    "UserGroupFilterConfig",
    "UserGroupGenePanel",
    "UserGroupImport",
    "UserOldPassword",
    "UserSession",
]

-- ELLA's database schema at alembic revision 4c2844fef850 (ELLA v1.17, the last revision of the 1.x line).
--
-- Written for the kit's tests from the facts of ELLA's public datamodel (src/vardb/datamodel/*.py) and its
-- alembic migrations (src/vardb/datamodel/migration/alembic/versions/): table and column names, types,
-- nullability, keys, partial unique indexes and enum values. Constraint names follow ELLA's naming convention
-- where the datamodel names them. ELLA is GPL-3.0; see tests/data/README.md.
--
-- Not reproduced: sqlalchemy-searchable's triggers that keep reference.search up to date (the column is
-- here, filled by the seed), the annotation shadow tables' triggers (the tables are here: they are derived
-- from annotation and the kit does not copy them), ELLA's btree/text_pattern_ops performance indexes.

CREATE TYPE change_type AS ENUM ('SNP', 'del', 'ins', 'indel', 'dup', 'dup_tandem', 'del_me', 'ins_me', 'inv', 'bnd');
CREATE TYPE caller_type AS ENUM ('snv', 'cnv');
CREATE TYPE transcript_type AS ENUM ('RefSeq', 'Ensembl', 'LRG');
CREATE TYPE sample_type AS ENUM ('HTS', 'Sanger');
CREATE TYPE sample_sex AS ENUM ('Male', 'Female');
CREATE TYPE genotypesampledata_type AS ENUM ('Homozygous', 'Heterozygous', 'Reference', 'No coverage');
CREATE TYPE alleleassessment_classification AS ENUM ('1', '2', '3', '4', '5', 'NP', 'RF', 'DR');
CREATE TYPE interpretation_status AS ENUM ('Not started', 'Ongoing', 'Done');
CREATE TYPE analysisinterpretation_workflow_status AS ENUM ('Not ready', 'Interpretation', 'Review', 'Medical review');
CREATE TYPE alleleinterpretation_workflow_status AS ENUM ('Interpretation', 'Review');
CREATE TYPE interpretationsnapshot_filtered AS ENUM (
    'CLASSIFICATION', 'FREQUENCY', 'REGION', 'POLYPYRIMIDINE', 'GENE', 'QUALITY', 'CONSEQUENCE', 'SEGREGATION',
    'INHERITANCEMODEL'
);
CREATE TYPE job_status AS ENUM (
    'SUBMITTED', 'RUNNING', 'ANNOTATED', 'CANCELLED', 'DONE', 'FAILED (SUBMISSION)', 'FAILED (ANNOTATION)',
    'FAILED (DEPOSIT)', 'FAILED (PROCESSING)'
);
CREATE TYPE mode AS ENUM ('Analysis', 'Variants', 'Single variant');

CREATE TABLE alembic_version (
    version_num VARCHAR(32) NOT NULL,
    CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num)
);

CREATE TABLE gene (
    hgnc_id INTEGER NOT NULL,
    hgnc_symbol VARCHAR NOT NULL,
    CONSTRAINT pk_gene PRIMARY KEY (hgnc_id)
);
CREATE UNIQUE INDEX ix_gene_hgnc_symbol ON gene (lower(hgnc_symbol) text_pattern_ops);

CREATE TABLE transcript (
    id SERIAL NOT NULL,
    gene_id INTEGER NOT NULL,
    transcript_name VARCHAR NOT NULL,
    type transcript_type NOT NULL,
    tags VARCHAR[],
    genome_reference VARCHAR NOT NULL,
    chromosome VARCHAR NOT NULL,
    tx_start INTEGER NOT NULL,
    tx_end INTEGER NOT NULL,
    strand VARCHAR(1) NOT NULL,
    cds_start INTEGER,
    cds_end INTEGER,
    exon_starts INTEGER[] NOT NULL,
    exon_ends INTEGER[] NOT NULL,
    CONSTRAINT pk_transcript PRIMARY KEY (id),
    CONSTRAINT fk_transcript_gene_id_gene FOREIGN KEY (gene_id) REFERENCES gene (hgnc_id),
    CONSTRAINT uq_transcript_transcript_name UNIQUE (transcript_name)
);

CREATE TABLE phenotype (
    id SERIAL NOT NULL,
    gene_id INTEGER NOT NULL,
    description VARCHAR NOT NULL,
    inheritance VARCHAR NOT NULL,
    omim_id INTEGER,
    CONSTRAINT pk_phenotype PRIMARY KEY (id),
    CONSTRAINT fk_phenotype_gene_id_gene FOREIGN KEY (gene_id) REFERENCES gene (hgnc_id),
    CONSTRAINT uq_phenotype_gene_id UNIQUE (gene_id, description, inheritance)
);

CREATE TABLE usergroup (
    id SERIAL NOT NULL,
    name VARCHAR NOT NULL,
    config JSONB,
    default_import_genepanel_name VARCHAR,
    default_import_genepanel_version VARCHAR,
    CONSTRAINT pk_usergroup PRIMARY KEY (id),
    CONSTRAINT uq_usergroup_name UNIQUE (name)
);

CREATE TABLE "user" (
    id SERIAL NOT NULL,
    username VARCHAR NOT NULL,
    first_name VARCHAR NOT NULL,
    last_name VARCHAR NOT NULL,
    email VARCHAR,
    group_id INTEGER NOT NULL,
    password VARCHAR NOT NULL,
    password_expiry TIMESTAMP WITH TIME ZONE NOT NULL,
    active BOOLEAN NOT NULL,
    incorrect_logins INTEGER NOT NULL,
    config JSONB,
    CONSTRAINT pk_user PRIMARY KEY (id),
    CONSTRAINT fk_user_group_id_usergroup FOREIGN KEY (group_id) REFERENCES usergroup (id),
    CONSTRAINT uq_user_username UNIQUE (username)
);

CREATE TABLE genepanel (
    name VARCHAR NOT NULL,
    version VARCHAR NOT NULL,
    genome_reference VARCHAR NOT NULL,
    official BOOLEAN NOT NULL,
    date_created TIMESTAMP WITH TIME ZONE NOT NULL,
    user_id INTEGER,
    CONSTRAINT pk_genepanel PRIMARY KEY (name, version),
    CONSTRAINT fk_genepanel_user_id_user FOREIGN KEY (user_id) REFERENCES "user" (id)
);

ALTER TABLE usergroup ADD CONSTRAINT fk_usergroup_default_import_genepanel_name_genepanel
    FOREIGN KEY (default_import_genepanel_name, default_import_genepanel_version)
    REFERENCES genepanel (name, version);

CREATE TABLE genepanel_transcript (
    genepanel_name VARCHAR NOT NULL,
    genepanel_version VARCHAR NOT NULL,
    transcript_id INTEGER NOT NULL,
    inheritance VARCHAR NOT NULL,
    CONSTRAINT fk_genepanel_transcript_genepanel_name_genepanel FOREIGN KEY (genepanel_name, genepanel_version)
        REFERENCES genepanel (name, version) ON DELETE CASCADE,
    CONSTRAINT fk_genepanel_transcript_transcript_id_transcript FOREIGN KEY (transcript_id) REFERENCES transcript (id)
);

CREATE TABLE genepanel_phenotype (
    genepanel_name VARCHAR NOT NULL,
    genepanel_version VARCHAR NOT NULL,
    phenotype_id INTEGER NOT NULL,
    CONSTRAINT fk_genepanel_phenotype_genepanel_name_genepanel FOREIGN KEY (genepanel_name, genepanel_version)
        REFERENCES genepanel (name, version) ON DELETE CASCADE,
    CONSTRAINT fk_genepanel_phenotype_phenotype_id_phenotype FOREIGN KEY (phenotype_id) REFERENCES phenotype (id)
);

CREATE TABLE usergroupgenepanel (
    usergroup_id INTEGER,
    genepanel_name VARCHAR NOT NULL,
    genepanel_version VARCHAR NOT NULL,
    CONSTRAINT fk_usergroupgenepanel_usergroup_id_usergroup FOREIGN KEY (usergroup_id) REFERENCES usergroup (id),
    CONSTRAINT fk_usergroupgenepanel_genepanel_name_genepanel FOREIGN KEY (genepanel_name, genepanel_version)
        REFERENCES genepanel (name, version)
);

CREATE TABLE usergroupimport (
    usergroup_id INTEGER NOT NULL,
    usergroupimport_id INTEGER NOT NULL,
    CONSTRAINT fk_usergroupimport_usergroup_id_usergroup FOREIGN KEY (usergroup_id) REFERENCES usergroup (id),
    CONSTRAINT fk_usergroupimport_usergroupimport_id_usergroup FOREIGN KEY (usergroupimport_id) REFERENCES usergroup (id),
    CONSTRAINT uq_usergroupimport_usergroup_id UNIQUE (usergroup_id, usergroupimport_id)
);

CREATE TABLE usersession (
    id SERIAL NOT NULL,
    user_id INTEGER,
    token VARCHAR NOT NULL,
    issued TIMESTAMP WITH TIME ZONE NOT NULL,
    lastactivity TIMESTAMP WITH TIME ZONE NOT NULL,
    expires TIMESTAMP WITH TIME ZONE NOT NULL,
    logged_out TIMESTAMP WITH TIME ZONE,
    CONSTRAINT pk_usersession PRIMARY KEY (id),
    CONSTRAINT fk_usersession_user_id_user FOREIGN KEY (user_id) REFERENCES "user" (id),
    CONSTRAINT uq_usersession_token UNIQUE (token)
);

CREATE TABLE useroldpassword (
    id SERIAL NOT NULL,
    user_id INTEGER,
    password VARCHAR NOT NULL,
    expired TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT pk_useroldpassword PRIMARY KEY (id),
    CONSTRAINT fk_useroldpassword_user_id_user FOREIGN KEY (user_id) REFERENCES "user" (id)
);

CREATE TABLE allele (
    id SERIAL NOT NULL,
    genome_reference VARCHAR NOT NULL,
    chromosome VARCHAR NOT NULL,
    start_position INTEGER NOT NULL,
    open_end_position INTEGER NOT NULL,
    change_from VARCHAR NOT NULL,
    change_to VARCHAR NOT NULL,
    change_type change_type NOT NULL,
    caller_type caller_type NOT NULL,
    vcf_pos INTEGER NOT NULL,
    vcf_ref VARCHAR NOT NULL,
    vcf_alt VARCHAR NOT NULL,
    length INTEGER NOT NULL,
    CONSTRAINT pk_allele PRIMARY KEY (id),
    CONSTRAINT "ucAllele" UNIQUE (chromosome, start_position, open_end_position, change_from, change_to, change_type,
                                  vcf_pos, vcf_ref, vcf_alt, length, caller_type)
);
CREATE INDEX ix_alleleloci ON allele (chromosome, start_position, open_end_position);

CREATE TABLE annotationconfig (
    id SERIAL NOT NULL,
    deposit JSON NOT NULL,
    view JSON NOT NULL,
    date_created TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT pk_annotationconfig PRIMARY KEY (id)
);

CREATE TABLE annotation (
    id SERIAL NOT NULL,
    allele_id INTEGER,
    annotations JSONB,
    schema_version INTEGER DEFAULT 1 NOT NULL,
    previous_annotation_id INTEGER,
    date_superceeded TIMESTAMP WITH TIME ZONE,
    date_created TIMESTAMP WITH TIME ZONE NOT NULL,
    annotation_config_id INTEGER NOT NULL,
    CONSTRAINT pk_annotation PRIMARY KEY (id),
    CONSTRAINT fk_annotation_allele_id_allele FOREIGN KEY (allele_id) REFERENCES allele (id),
    CONSTRAINT fk_annotation_previous_annotation_id_annotation FOREIGN KEY (previous_annotation_id) REFERENCES annotation (id),
    CONSTRAINT fk_annotation_annotation_config_id_annotationconfig FOREIGN KEY (annotation_config_id) REFERENCES annotationconfig (id)
);
CREATE INDEX ix_annotation_allele_id ON annotation (allele_id);
CREATE INDEX ix_annotation_annotation_config_id ON annotation (annotation_config_id);
CREATE UNIQUE INDEX ix_annotation_unique ON annotation (allele_id) WHERE date_superceeded IS NULL;

CREATE TABLE customannotation (
    id SERIAL NOT NULL,
    annotations JSONB,
    allele_id INTEGER,
    user_id INTEGER,
    previous_annotation_id INTEGER,
    date_superceeded TIMESTAMP WITH TIME ZONE,
    date_created TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT pk_customannotation PRIMARY KEY (id),
    CONSTRAINT fk_customannotation_allele_id_allele FOREIGN KEY (allele_id) REFERENCES allele (id),
    CONSTRAINT fk_customannotation_user_id_user FOREIGN KEY (user_id) REFERENCES "user" (id),
    CONSTRAINT fk_customannotation_previous_annotation_id_customannotation FOREIGN KEY (previous_annotation_id) REFERENCES customannotation (id)
);
CREATE UNIQUE INDEX ix_customannotation_unique ON customannotation (allele_id) WHERE date_superceeded IS NULL;

CREATE TABLE analysis (
    id SERIAL NOT NULL,
    name VARCHAR NOT NULL,
    genepanel_name VARCHAR,
    genepanel_version VARCHAR,
    warnings VARCHAR,
    report VARCHAR,
    date_requested TIMESTAMP WITH TIME ZONE,
    date_deposited TIMESTAMP WITH TIME ZONE NOT NULL,
    properties JSONB,
    CONSTRAINT pk_analysis PRIMARY KEY (id),
    CONSTRAINT uq_analysis_name UNIQUE (name),
    CONSTRAINT fk_analysis_genepanel_name_genepanel FOREIGN KEY (genepanel_name, genepanel_version) REFERENCES genepanel (name, version)
);

CREATE TABLE sample (
    id SERIAL NOT NULL,
    identifier VARCHAR NOT NULL,
    analysis_id INTEGER NOT NULL,
    sample_type sample_type NOT NULL,
    proband BOOLEAN NOT NULL,
    family_id VARCHAR,
    father_id INTEGER,
    mother_id INTEGER,
    sibling_id INTEGER,
    sex sample_sex,
    affected BOOLEAN NOT NULL,
    date_deposited TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT pk_sample PRIMARY KEY (id),
    CONSTRAINT fk_sample_analysis_id_analysis FOREIGN KEY (analysis_id) REFERENCES analysis (id) ON DELETE CASCADE,
    CONSTRAINT fk_sample_father_id_sample FOREIGN KEY (father_id) REFERENCES sample (id),
    CONSTRAINT fk_sample_mother_id_sample FOREIGN KEY (mother_id) REFERENCES sample (id),
    CONSTRAINT fk_sample_sibling_id_sample FOREIGN KEY (sibling_id) REFERENCES sample (id)
);
CREATE INDEX ix_sampleidentifier ON sample (identifier);

CREATE TABLE genotype (
    id SERIAL NOT NULL,
    allele_id INTEGER NOT NULL,
    secondallele_id INTEGER,
    sample_id INTEGER NOT NULL,
    filter_status VARCHAR,
    variant_quality INTEGER,
    CONSTRAINT pk_genotype PRIMARY KEY (id),
    CONSTRAINT fk_genotype_allele_id_allele FOREIGN KEY (allele_id) REFERENCES allele (id),
    CONSTRAINT fk_genotype_secondallele_id_allele FOREIGN KEY (secondallele_id) REFERENCES allele (id),
    CONSTRAINT fk_genotype_sample_id_sample FOREIGN KEY (sample_id) REFERENCES sample (id) ON DELETE CASCADE
);
CREATE INDEX ix_genotype_sample_id ON genotype (sample_id);

CREATE TABLE genotypesampledata (
    id SERIAL NOT NULL,
    genotype_id INTEGER NOT NULL,
    secondallele BOOLEAN NOT NULL,
    multiallelic BOOLEAN NOT NULL,
    type genotypesampledata_type NOT NULL,
    sample_id INTEGER NOT NULL,
    genotype_quality SMALLINT,
    sequencing_depth SMALLINT,
    allele_ratio FLOAT,
    genotype_likelihood INTEGER[] CHECK (array_position(genotype_likelihood, NULL) is NULL),
    allele_depth JSONB,
    copy_number SMALLINT,
    CONSTRAINT pk_genotypesampledata PRIMARY KEY (id),
    CONSTRAINT fk_genotypesampledata_genotype_id_genotype FOREIGN KEY (genotype_id) REFERENCES genotype (id) ON DELETE CASCADE,
    CONSTRAINT fk_genotypesampledata_sample_id_sample FOREIGN KEY (sample_id) REFERENCES sample (id) ON DELETE CASCADE
);
CREATE INDEX ix_genotypesampledata_genotype_id ON genotypesampledata (genotype_id);
CREATE INDEX ix_genotypesampledata_sample_id ON genotypesampledata (sample_id);

CREATE TABLE filterconfig (
    id SERIAL NOT NULL,
    name VARCHAR NOT NULL,
    filterconfig JSONB NOT NULL,
    schema_version INTEGER DEFAULT 2 NOT NULL,
    requirements JSONB NOT NULL,
    date_superceeded TIMESTAMP WITH TIME ZONE,
    previous_filterconfig_id INTEGER,
    active BOOLEAN NOT NULL,
    CONSTRAINT pk_filterconfig PRIMARY KEY (id),
    CONSTRAINT fk_filterconfig_previous_filterconfig_id_filterconfig FOREIGN KEY (previous_filterconfig_id) REFERENCES filterconfig (id)
);
CREATE UNIQUE INDEX uq_filterconfig_name_active_unique ON filterconfig (name) WHERE active IS true;

CREATE TABLE usergroupfilterconfig (
    id SERIAL NOT NULL,
    usergroup_id INTEGER NOT NULL,
    filterconfig_id INTEGER NOT NULL,
    "order" INTEGER NOT NULL,
    CONSTRAINT pk_usergroupfilterconfig PRIMARY KEY (id),
    CONSTRAINT fk_usergroupfilterconfig_usergroup_id_usergroup FOREIGN KEY (usergroup_id) REFERENCES usergroup (id),
    CONSTRAINT fk_usergroupfilterconfig_filterconfig_id_filterconfig FOREIGN KEY (filterconfig_id) REFERENCES filterconfig (id)
);
CREATE UNIQUE INDEX uq_usergroupfilterconfig_unique ON usergroupfilterconfig (usergroup_id, filterconfig_id);

CREATE TABLE attachment (
    id SERIAL NOT NULL,
    sha256 VARCHAR,
    filename VARCHAR NOT NULL,
    size BIGINT,
    date_created TIMESTAMP WITH TIME ZONE NOT NULL,
    mimetype VARCHAR,
    extension VARCHAR,
    user_id INTEGER NOT NULL,
    CONSTRAINT pk_attachment PRIMARY KEY (id),
    CONSTRAINT fk_attachment_user_id_user FOREIGN KEY (user_id) REFERENCES "user" (id)
);

CREATE TABLE reference (
    id SERIAL NOT NULL,
    authors VARCHAR,
    title VARCHAR,
    journal VARCHAR,
    abstract VARCHAR,
    year VARCHAR,
    pubmed_id INTEGER,
    published BOOLEAN NOT NULL,
    attachment_id INTEGER,
    search TSVECTOR,
    CONSTRAINT pk_reference PRIMARY KEY (id),
    CONSTRAINT uq_reference_pubmed_id UNIQUE (pubmed_id),
    CONSTRAINT fk_reference_attachment_id_attachment FOREIGN KEY (attachment_id) REFERENCES attachment (id)
);
CREATE UNIQUE INDEX ix_pubmedid ON reference (pubmed_id);
CREATE INDEX ix_reference_search ON reference USING gin (search);

CREATE TABLE alleleassessment (
    id SERIAL NOT NULL,
    classification alleleassessment_classification NOT NULL,
    evaluation JSONB,
    user_id INTEGER NOT NULL,
    usergroup_id INTEGER,
    date_created TIMESTAMP WITH TIME ZONE NOT NULL,
    date_superceeded TIMESTAMP WITH TIME ZONE,
    previous_assessment_id INTEGER,
    allele_id INTEGER NOT NULL,
    genepanel_name VARCHAR NOT NULL,
    genepanel_version VARCHAR NOT NULL,
    analysis_id INTEGER,
    annotation_id INTEGER,
    custom_annotation_id INTEGER,
    CONSTRAINT pk_alleleassessment PRIMARY KEY (id),
    CONSTRAINT fk_alleleassessment_user_id_user FOREIGN KEY (user_id) REFERENCES "user" (id),
    CONSTRAINT fk_alleleassessment_usergroup_id_usergroup FOREIGN KEY (usergroup_id) REFERENCES usergroup (id),
    CONSTRAINT fk_alleleassessment_previous_assessment_id_alleleassessment FOREIGN KEY (previous_assessment_id) REFERENCES alleleassessment (id),
    CONSTRAINT fk_alleleassessment_allele_id_allele FOREIGN KEY (allele_id) REFERENCES allele (id),
    CONSTRAINT fk_alleleassessment_genepanel_name_genepanel FOREIGN KEY (genepanel_name, genepanel_version) REFERENCES genepanel (name, version),
    CONSTRAINT fk_alleleassessment_analysis_id_analysis FOREIGN KEY (analysis_id) REFERENCES analysis (id) ON DELETE SET NULL,
    CONSTRAINT fk_alleleassessment_annotation_id_annotation FOREIGN KEY (annotation_id) REFERENCES annotation (id),
    CONSTRAINT fk_alleleassessment_custom_annotation_id_customannotation FOREIGN KEY (custom_annotation_id) REFERENCES customannotation (id)
);
CREATE UNIQUE INDEX ix_assessment_alleleid_unique ON alleleassessment (allele_id) WHERE date_superceeded IS NULL;

CREATE TABLE referenceassessment (
    id SERIAL NOT NULL,
    reference_id INTEGER NOT NULL,
    evaluation JSONB,
    user_id INTEGER NOT NULL,
    usergroup_id INTEGER,
    date_created TIMESTAMP WITH TIME ZONE NOT NULL,
    date_superceeded TIMESTAMP WITH TIME ZONE,
    genepanel_name VARCHAR NOT NULL,
    genepanel_version VARCHAR NOT NULL,
    allele_id INTEGER NOT NULL,
    previous_assessment_id INTEGER,
    analysis_id INTEGER,
    CONSTRAINT pk_referenceassessment PRIMARY KEY (id),
    CONSTRAINT fk_referenceassessment_reference_id_reference FOREIGN KEY (reference_id) REFERENCES reference (id),
    CONSTRAINT fk_referenceassessment_user_id_user FOREIGN KEY (user_id) REFERENCES "user" (id),
    CONSTRAINT fk_referenceassessment_usergroup_id_usergroup FOREIGN KEY (usergroup_id) REFERENCES usergroup (id),
    CONSTRAINT fk_referenceassessment_genepanel_name_genepanel FOREIGN KEY (genepanel_name, genepanel_version) REFERENCES genepanel (name, version),
    CONSTRAINT fk_referenceassessment_allele_id_allele FOREIGN KEY (allele_id) REFERENCES allele (id),
    CONSTRAINT fk_referenceassessment_previous_assessment_id_referenceassessment FOREIGN KEY (previous_assessment_id) REFERENCES referenceassessment (id),
    CONSTRAINT fk_referenceassessment_analysis_id_analysis FOREIGN KEY (analysis_id) REFERENCES analysis (id) ON DELETE SET NULL
);
CREATE UNIQUE INDEX ix_referenceassessment_alleleid_referenceid_unique
    ON referenceassessment (allele_id, reference_id) WHERE date_superceeded IS NULL;

CREATE TABLE alleleassessmentreferenceassessment (
    alleleassessment_id INTEGER,
    referenceassessment_id INTEGER,
    CONSTRAINT fk_alleleassessmentreferenceassessment_alleleassessment_id_alleleassessment FOREIGN KEY (alleleassessment_id) REFERENCES alleleassessment (id),
    CONSTRAINT fk_alleleassessmentreferenceassessment_referenceassessment_id_referenceassessment FOREIGN KEY (referenceassessment_id) REFERENCES referenceassessment (id)
);

CREATE TABLE alleleassessmentattachment (
    alleleassessment_id INTEGER,
    attachment_id INTEGER,
    CONSTRAINT fk_alleleassessmentattachment_alleleassessment_id_alleleassessment FOREIGN KEY (alleleassessment_id) REFERENCES alleleassessment (id),
    CONSTRAINT fk_alleleassessmentattachment_attachment_id_attachment FOREIGN KEY (attachment_id) REFERENCES attachment (id)
);

CREATE TABLE allelereport (
    id SERIAL NOT NULL,
    evaluation JSONB,
    user_id INTEGER NOT NULL,
    usergroup_id INTEGER,
    date_created TIMESTAMP WITH TIME ZONE NOT NULL,
    date_superceeded TIMESTAMP WITH TIME ZONE,
    previous_report_id INTEGER,
    allele_id INTEGER NOT NULL,
    analysis_id INTEGER,
    alleleassessment_id INTEGER,
    CONSTRAINT pk_allelereport PRIMARY KEY (id),
    CONSTRAINT fk_allelereport_user_id_user FOREIGN KEY (user_id) REFERENCES "user" (id),
    CONSTRAINT fk_allelereport_usergroup_id_usergroup FOREIGN KEY (usergroup_id) REFERENCES usergroup (id),
    CONSTRAINT fk_allelereport_previous_report_id_allelereport FOREIGN KEY (previous_report_id) REFERENCES allelereport (id),
    CONSTRAINT fk_allelereport_allele_id_allele FOREIGN KEY (allele_id) REFERENCES allele (id),
    CONSTRAINT fk_allelereport_analysis_id_analysis FOREIGN KEY (analysis_id) REFERENCES analysis (id) ON DELETE SET NULL,
    CONSTRAINT fk_allelereport_alleleassessment_id_alleleassessment FOREIGN KEY (alleleassessment_id) REFERENCES alleleassessment (id)
);
CREATE UNIQUE INDEX ix_allelereport_alleleid_unique ON allelereport (allele_id) WHERE date_superceeded IS NULL;

CREATE TABLE geneassessment (
    id SERIAL NOT NULL,
    evaluation JSONB,
    user_id INTEGER NOT NULL,
    usergroup_id INTEGER,
    date_created TIMESTAMP WITH TIME ZONE NOT NULL,
    genepanel_name VARCHAR NOT NULL,
    genepanel_version VARCHAR NOT NULL,
    date_superceeded TIMESTAMP WITH TIME ZONE,
    previous_assessment_id INTEGER,
    gene_id INTEGER NOT NULL,
    analysis_id INTEGER,
    CONSTRAINT pk_geneassessment PRIMARY KEY (id),
    CONSTRAINT fk_geneassessment_user_id_user FOREIGN KEY (user_id) REFERENCES "user" (id),
    CONSTRAINT fk_geneassessment_usergroup_id_usergroup FOREIGN KEY (usergroup_id) REFERENCES usergroup (id),
    CONSTRAINT fk_geneassessment_previous_assessment_id_geneassessment FOREIGN KEY (previous_assessment_id) REFERENCES geneassessment (id),
    CONSTRAINT fk_geneassessment_gene_id_gene FOREIGN KEY (gene_id) REFERENCES gene (hgnc_id),
    CONSTRAINT fk_geneassessment_analysis_id_analysis FOREIGN KEY (analysis_id) REFERENCES analysis (id) ON DELETE SET NULL
);
CREATE UNIQUE INDEX ix_geneassessment_geneid_unique ON geneassessment (gene_id) WHERE date_superceeded IS NULL;

CREATE TABLE analysisinterpretation (
    id SERIAL NOT NULL,
    genepanel_name VARCHAR NOT NULL,
    genepanel_version VARCHAR NOT NULL,
    user_state JSONB,
    state JSONB,
    status interpretation_status NOT NULL,
    finalized BOOLEAN,
    date_last_update TIMESTAMP WITH TIME ZONE NOT NULL,
    date_created TIMESTAMP WITH TIME ZONE NOT NULL,
    user_id INTEGER,
    analysis_id INTEGER NOT NULL,
    workflow_status analysisinterpretation_workflow_status NOT NULL,
    CONSTRAINT pk_analysisinterpretation PRIMARY KEY (id),
    CONSTRAINT fk_analysisinterpretation_user_id_user FOREIGN KEY (user_id) REFERENCES "user" (id),
    CONSTRAINT fk_analysisinterpretation_genepanel_name_genepanel FOREIGN KEY (genepanel_name, genepanel_version) REFERENCES genepanel (name, version),
    CONSTRAINT fk_analysisinterpretation_analysis_id_analysis FOREIGN KEY (analysis_id) REFERENCES analysis (id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX ix_analysisinterpretation_analysisid_ongoing_unique
    ON analysisinterpretation (analysis_id) WHERE status IN ('Ongoing', 'Not started');

CREATE TABLE alleleinterpretation (
    id SERIAL NOT NULL,
    genepanel_name VARCHAR NOT NULL,
    genepanel_version VARCHAR NOT NULL,
    user_state JSONB,
    state JSONB,
    status interpretation_status NOT NULL,
    finalized BOOLEAN,
    date_last_update TIMESTAMP WITH TIME ZONE NOT NULL,
    date_created TIMESTAMP WITH TIME ZONE NOT NULL,
    user_id INTEGER,
    allele_id INTEGER NOT NULL,
    workflow_status alleleinterpretation_workflow_status NOT NULL,
    CONSTRAINT pk_alleleinterpretation PRIMARY KEY (id),
    CONSTRAINT fk_alleleinterpretation_user_id_user FOREIGN KEY (user_id) REFERENCES "user" (id),
    CONSTRAINT fk_alleleinterpretation_genepanel_name_genepanel FOREIGN KEY (genepanel_name, genepanel_version) REFERENCES genepanel (name, version),
    CONSTRAINT fk_alleleinterpretation_allele_id_allele FOREIGN KEY (allele_id) REFERENCES allele (id)
);
CREATE UNIQUE INDEX ix_alleleinterpretation_alleleid_ongoing_unique
    ON alleleinterpretation (allele_id) WHERE status IN ('Ongoing', 'Not started');

CREATE TABLE analysisinterpretationsnapshot (
    id SERIAL NOT NULL,
    date_created TIMESTAMP WITH TIME ZONE NOT NULL,
    filtered interpretationsnapshot_filtered,
    annotation_id INTEGER,
    customannotation_id INTEGER,
    alleleassessment_id INTEGER,
    allelereport_id INTEGER,
    analysisinterpretation_id INTEGER NOT NULL,
    allele_id INTEGER NOT NULL,
    CONSTRAINT pk_analysisinterpretationsnapshot PRIMARY KEY (id),
    CONSTRAINT fk_analysisinterpretationsnapshot_annotation_id_annotation FOREIGN KEY (annotation_id) REFERENCES annotation (id),
    CONSTRAINT fk_analysisinterpretationsnapshot_customannotation_id_customannotation FOREIGN KEY (customannotation_id) REFERENCES customannotation (id),
    CONSTRAINT fk_analysisinterpretationsnapshot_alleleassessment_id_alleleassessment FOREIGN KEY (alleleassessment_id) REFERENCES alleleassessment (id),
    CONSTRAINT fk_analysisinterpretationsnapshot_allelereport_id_allelereport FOREIGN KEY (allelereport_id) REFERENCES allelereport (id),
    CONSTRAINT fk_analysisinterpretationsnapshot_analysisinterpretation_id_analysisinterpretation FOREIGN KEY (analysisinterpretation_id) REFERENCES analysisinterpretation (id) ON DELETE CASCADE,
    CONSTRAINT fk_analysisinterpretationsnapshot_allele_id_allele FOREIGN KEY (allele_id) REFERENCES allele (id),
    CONSTRAINT uq_analysisinterpretationsnapshot_analysisinterpretation_id UNIQUE (analysisinterpretation_id, allele_id)
);

CREATE TABLE alleleinterpretationsnapshot (
    id SERIAL NOT NULL,
    date_created TIMESTAMP WITH TIME ZONE NOT NULL,
    filtered interpretationsnapshot_filtered,
    annotation_id INTEGER,
    customannotation_id INTEGER,
    alleleassessment_id INTEGER,
    allelereport_id INTEGER,
    alleleinterpretation_id INTEGER NOT NULL,
    allele_id INTEGER NOT NULL,
    CONSTRAINT pk_alleleinterpretationsnapshot PRIMARY KEY (id),
    CONSTRAINT fk_alleleinterpretationsnapshot_annotation_id_annotation FOREIGN KEY (annotation_id) REFERENCES annotation (id),
    CONSTRAINT fk_alleleinterpretationsnapshot_customannotation_id_customannotation FOREIGN KEY (customannotation_id) REFERENCES customannotation (id),
    CONSTRAINT fk_alleleinterpretationsnapshot_alleleassessment_id_alleleassessment FOREIGN KEY (alleleassessment_id) REFERENCES alleleassessment (id),
    CONSTRAINT fk_alleleinterpretationsnapshot_allelereport_id_allelereport FOREIGN KEY (allelereport_id) REFERENCES allelereport (id),
    CONSTRAINT fk_alleleinterpretationsnapshot_alleleinterpretation_id_alleleinterpretation FOREIGN KEY (alleleinterpretation_id) REFERENCES alleleinterpretation (id) ON DELETE CASCADE,
    CONSTRAINT fk_alleleinterpretationsnapshot_allele_id_allele FOREIGN KEY (allele_id) REFERENCES allele (id),
    CONSTRAINT uq_alleleinterpretationsnapshot_alleleinterpretation_id UNIQUE (alleleinterpretation_id, allele_id)
);

CREATE TABLE interpretationstatehistory (
    id SERIAL NOT NULL,
    alleleinterpretation_id INTEGER,
    analysisinterpretation_id INTEGER,
    user_id INTEGER NOT NULL,
    date_created TIMESTAMP WITH TIME ZONE NOT NULL,
    state JSONB NOT NULL,
    CONSTRAINT pk_interpretationstatehistory PRIMARY KEY (id),
    CONSTRAINT fk_interpretationstatehistory_alleleinterpretation_id_alleleinterpretation FOREIGN KEY (alleleinterpretation_id) REFERENCES alleleinterpretation (id) ON DELETE CASCADE,
    CONSTRAINT fk_interpretationstatehistory_analysisinterpretation_id_analysisinterpretation FOREIGN KEY (analysisinterpretation_id) REFERENCES analysisinterpretation (id) ON DELETE CASCADE,
    CONSTRAINT fk_interpretationstatehistory_user_id_user FOREIGN KEY (user_id) REFERENCES "user" (id)
);

CREATE TABLE interpretationlog (
    id SERIAL NOT NULL,
    alleleinterpretation_id INTEGER,
    analysisinterpretation_id INTEGER,
    user_id INTEGER,
    date_created TIMESTAMP WITH TIME ZONE NOT NULL,
    message VARCHAR,
    priority INTEGER,
    review_comment VARCHAR,
    warning_cleared BOOLEAN,
    alleleassessment_id INTEGER,
    allelereport_id INTEGER,
    CONSTRAINT pk_interpretationlog PRIMARY KEY (id),
    CONSTRAINT fk_interpretationlog_alleleinterpretation_id_alleleinterpretation FOREIGN KEY (alleleinterpretation_id) REFERENCES alleleinterpretation (id) ON DELETE CASCADE,
    CONSTRAINT fk_interpretationlog_analysisinterpretation_id_analysisinterpretation FOREIGN KEY (analysisinterpretation_id) REFERENCES analysisinterpretation (id) ON DELETE CASCADE,
    CONSTRAINT fk_interpretationlog_user_id_user FOREIGN KEY (user_id) REFERENCES "user" (id),
    CONSTRAINT fk_interpretationlog_alleleassessment_id_alleleassessment FOREIGN KEY (alleleassessment_id) REFERENCES alleleassessment (id),
    CONSTRAINT fk_interpretationlog_allelereport_id_allelereport FOREIGN KEY (allelereport_id) REFERENCES allelereport (id)
);

CREATE TABLE broadcast (
    id SERIAL NOT NULL,
    date_created TIMESTAMP WITH TIME ZONE NOT NULL,
    message VARCHAR NOT NULL,
    active BOOLEAN NOT NULL,
    CONSTRAINT pk_broadcast PRIMARY KEY (id)
);

CREATE TABLE annotationjob (
    id SERIAL NOT NULL,
    task_id VARCHAR,
    status job_status NOT NULL,
    status_history JSONB,
    mode mode,
    sample_id VARCHAR,
    data VARCHAR,
    message VARCHAR,
    user_id INTEGER,
    date_submitted TIMESTAMP WITH TIME ZONE NOT NULL,
    date_last_update TIMESTAMP WITH TIME ZONE NOT NULL,
    genepanel_name VARCHAR,
    genepanel_version VARCHAR,
    properties JSONB,
    CONSTRAINT pk_annotationjob PRIMARY KEY (id),
    CONSTRAINT fk_annotationjob_user_id_user FOREIGN KEY (user_id) REFERENCES "user" (id),
    CONSTRAINT fk_annotationjob_genepanel_name_genepanel FOREIGN KEY (genepanel_name, genepanel_version) REFERENCES genepanel (name, version),
    CONSTRAINT ck_annotationjob_data_or_sample CHECK (NOT(data IS NULL AND sample_id IS NULL)),
    CONSTRAINT ck_annotationjob_data_xor_sample CHECK (data IS NULL OR sample_id IS NULL)
);

CREATE TABLE resourcelog (
    id SERIAL NOT NULL,
    remote_addr INET NOT NULL,
    time TIMESTAMP WITH TIME ZONE NOT NULL,
    duration INTEGER NOT NULL,
    usersession_id INTEGER,
    method VARCHAR NOT NULL,
    resource VARCHAR NOT NULL,
    query VARCHAR NOT NULL,
    response VARCHAR,
    response_size INTEGER NOT NULL,
    payload VARCHAR,
    payload_size INTEGER NOT NULL,
    statuscode INTEGER NOT NULL,
    CONSTRAINT pk_resourcelog PRIMARY KEY (id),
    CONSTRAINT fk_resourcelog_usersession_id_usersession FOREIGN KEY (usersession_id) REFERENCES usersession (id)
);
CREATE INDEX ix_resourcelog_time ON resourcelog (time);

CREATE TABLE clilog (
    id SERIAL NOT NULL,
    time TIMESTAMP WITH TIME ZONE NOT NULL,
    "user" VARCHAR NOT NULL,
    "group" VARCHAR NOT NULL,
    groupcommand VARCHAR NOT NULL,
    command VARCHAR NOT NULL,
    reason VARCHAR,
    output VARCHAR NOT NULL,
    CONSTRAINT pk_clilog PRIMARY KEY (id)
);

CREATE TABLE uiexception (
    id SERIAL NOT NULL,
    time TIMESTAMP WITH TIME ZONE NOT NULL,
    usersession_id INTEGER,
    message VARCHAR NOT NULL,
    location VARCHAR,
    stacktrace VARCHAR,
    state JSONB,
    CONSTRAINT pk_uiexception PRIMARY KEY (id),
    CONSTRAINT fk_uiexception_usersession_id_usersession FOREIGN KEY (usersession_id) REFERENCES usersession (id)
);

CREATE TABLE jsonschema (
    id SERIAL NOT NULL,
    name VARCHAR NOT NULL,
    version INTEGER NOT NULL,
    schema JSONB NOT NULL,
    CONSTRAINT pk_jsonschema PRIMARY KEY (id)
);
CREATE UNIQUE INDEX ix_jsonschema_unique ON jsonschema (name, version);

-- Derived from annotation by ELLA's triggers (columns of annotationshadowfrequency follow the config).
CREATE TABLE annotationshadowtranscript (
    id SERIAL NOT NULL,
    allele_id INTEGER,
    hgnc_id INTEGER,
    symbol VARCHAR,
    transcript VARCHAR,
    hgvsc VARCHAR,
    protein VARCHAR,
    hgvsp VARCHAR,
    consequences TEXT[],
    exon_distance INTEGER,
    coding_region_distance INTEGER,
    CONSTRAINT pk_annotationshadowtranscript PRIMARY KEY (id),
    CONSTRAINT fk_annotationshadowtranscript_allele_id_allele FOREIGN KEY (allele_id) REFERENCES allele (id)
);
CREATE TABLE annotationshadowfrequency (
    id SERIAL NOT NULL,
    allele_id INTEGER,
    "GNOMAD_GENOMES.G" FLOAT,
    "GNOMAD_EXOMES.G" FLOAT,
    CONSTRAINT pk_annotationshadowfrequency PRIMARY KEY (id),
    CONSTRAINT fk_annotationshadowfrequency_allele_id_allele FOREIGN KEY (allele_id) REFERENCES allele (id)
);

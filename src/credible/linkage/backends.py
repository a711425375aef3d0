"""Where Splink runs: DuckDB in process (default) or Spark (local mode or a cluster)."""

from __future__ import annotations

import os
import sys
import tempfile
from typing import Any

from credible.errors import ConfigError
from credible.linkage.settings import LinkSettings
from credible.linkage.udf import register_duckdb, register_spark


def make_db_api(settings: LinkSettings, spark_session: Any = None) -> Any:
    """A Splink database API for ``settings.backend``.

    For Spark, pass an existing session to run on a cluster; without one a local session
    with all cores is started (``local_spark_session``).
    """
    if settings.backend == "duckdb":
        import duckdb
        from splink import DuckDBAPI

        con = duckdb.connect(":memory:")
        if settings.threads:
            con.execute(f"SET threads = {int(settings.threads)}")
        register_duckdb(con)
        return DuckDBAPI(connection=con)
    try:
        from splink import SparkAPI
    except ImportError as err:
        raise ConfigError(
            "the Spark backend needs pyspark: pip install 'credible[spark]' (and Java 17)"
        ) from err
    session = spark_session or local_spark_session()
    register_spark(session)
    return SparkAPI(spark_session=session, break_lineage_method="parquet")


def local_spark_session(cores: str = "*", memory: str = "4g") -> Any:
    """A local Spark session with Splink's similarity functions (Jaro–Winkler) loaded."""
    try:
        from pyspark.sql import SparkSession
        from splink.backends.spark import similarity_jar_location
    except ImportError as err:
        raise ConfigError(
            "the Spark backend needs pyspark: pip install 'credible[spark]' (and Java 17)"
        ) from err
    checkpoints = tempfile.mkdtemp(prefix="credible-spark-")
    # pyspark takes the UDF workers' interpreter from this variable when the context
    # starts (the spark.pyspark.python setting is not used for UDFs); without it workers
    # run the system python3, which lacks credible and pandas.
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    session = (
        SparkSession.builder.master(f"local[{cores}]")
        .appName("credible-linkage")
        .config("spark.jars", similarity_jar_location())
        .config("spark.driver.memory", memory)
        .config("spark.sql.shuffle.partitions", "8")
        .config("spark.default.parallelism", "8")
        # Python UDF workers must run this interpreter (it has credible and pandas).
        .config("spark.pyspark.python", sys.executable)
        .config("spark.pyspark.driver.python", sys.executable)
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.session.timeZone", "UTC")
        .getOrCreate()
    )
    session.sparkContext.setCheckpointDir(checkpoints)
    session.sparkContext.setLogLevel("ERROR")
    return session

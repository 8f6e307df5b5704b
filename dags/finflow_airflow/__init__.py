"""Airflow wiring shared by finflow's DAG files: assets, task defaults, run-time settings.

Cheap to import: only `airflow.sdk` objects and the standard library at module level. Nothing
here reads a Variable or a Connection, or touches a file or a database, until a task runs.
"""

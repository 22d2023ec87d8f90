# The syllabus's "Pattern: Data Quality Checker Class", pasted unchanged (trailing spaces included). Not the
# kit's code: notebook 07 shows and runs it, tests/project/test_syllabus_checker.py runs it against the sim, and
# bench/bench_quality.py measures it as its baseline.
import snowflake.connector
from datetime import datetime

class DataQualityChecker:
    """Framework for running data quality checks"""
    
    def __init__(self, connection_params):
        self.conn = snowflake.connector.connect(**connection_params)
        self.cursor = self.conn.cursor()
        self.failures = []
    
    def check_row_count(self, table, min_rows, max_rows=None):
        """Validate row count within expected range"""
        self.cursor.execute(f"SELECT COUNT(*) FROM {table}")
        count = self.cursor.fetchone()[0]
        
        if count < min_rows:
            self.failures.append(
                f"{table}: Only {count} rows, expected >= {min_rows}"
            )
        
        if max_rows and count > max_rows:
            self.failures.append(
                f"{table}: {count} rows exceeds max {max_rows}"
            )
        
        return count
    
    def check_null_percentage(self, table, column, max_null_pct):
        """Ensure null rate below threshold"""
        query = f"""
        SELECT 
            COUNT(*) as total,
            SUM(CASE WHEN {column} IS NULL THEN 1 ELSE 0 END) as null_count
        FROM {table}
        """
        self.cursor.execute(query)
        total, null_count = self.cursor.fetchone()
        
        if total == 0:
            return
        
        null_pct = (null_count / total) * 100
        
        if null_pct > max_null_pct:
            self.failures.append(
                f"{table}.{column}: {null_pct:.1f}% nulls, max allowed {max_null_pct}%"
            )
        
        return null_pct
    
    def check_referential_integrity(self, child_table, child_key, parent_table, parent_key):
        """Validate foreign key relationships"""
        query = f"""
        SELECT COUNT(*) FROM {child_table} c
        LEFT JOIN {parent_table} p ON c.{child_key} = p.{parent_key}
        WHERE p.{parent_key} IS NULL AND c.{child_key} IS NOT NULL
        """
        self.cursor.execute(query)
        orphaned_count = self.cursor.fetchone()[0]
        
        if orphaned_count > 0:
            self.failures.append(
                f"{child_table}.{child_key}: {orphaned_count} orphaned records"
            )
        
        return orphaned_count
    
    def check_date_range(self, table, date_column, min_date, max_date):
        """Validate dates within expected range"""
        query = f"""
        SELECT COUNT(*) FROM {table}
        WHERE {date_column} < '{min_date}' OR {date_column} > '{max_date}'
        """
        self.cursor.execute(query)
        out_of_range = self.cursor.fetchone()[0]
        
        if out_of_range > 0:
            self.failures.append(
                f"{table}.{date_column}: {out_of_range} dates outside {min_date} to {max_date}"
            )
        
        return out_of_range
    
    def check_duplicate_keys(self, table, key_columns):
        """Check for duplicate values in what should be unique"""
        keys = ', '.join(key_columns)
        query = f"""
        SELECT COUNT(*) FROM (
            SELECT {keys}, COUNT(*) as cnt
            FROM {table}
            GROUP BY {keys}
            HAVING COUNT(*) > 1
        )
        """
        self.cursor.execute(query)
        duplicate_count = self.cursor.fetchone()[0]
        
        if duplicate_count > 0:
            self.failures.append(
                f"{table}: {duplicate_count} duplicate key combinations ({keys})"
            )
        
        return duplicate_count
    
    def get_report(self):
        """Return all failures"""
        self.cursor.close()
        self.conn.close()
        
        if self.failures:
            return {
                'status': 'FAILED',
                'failure_count': len(self.failures),
                'failures': self.failures
            }
        else:
            return {
                'status': 'PASSED',
                'failure_count': 0
            }

# Usage in Airflow
def run_quality_checks(**context):
    """Airflow task that runs all quality checks"""
    
    checker = DataQualityChecker({
        'user': 'airflow',
        'password': '{{ var.value.snowflake_password }}',
        'account': 'simplepractice',
        'warehouse': 'ANALYTICS_WH',
        'database': 'ANALYTICS',
        'schema': 'MARTS'
    })
    
    # Run checks
    checker.check_row_count('fct_appointments', min_rows=1000)
    checker.check_null_percentage('fct_appointments', 'client_id', max_null_pct=0.1)
    checker.check_referential_integrity(
        'fct_appointments', 'client_id',
        'dim_clients', 'client_id'
    )
    checker.check_date_range(
        'fct_appointments', 'appointment_date',
        '2020-01-01', datetime.now().strftime('%Y-%m-%d')
    )
    checker.check_duplicate_keys('fct_appointments', ['appointment_id'])
    
    # Get results
    report = checker.get_report()
    
    if report['status'] == 'FAILED':
        # Send to Slack, email, or monitoring system
        error_message = '\n'.join(report['failures'])
        raise ValueError(f"Data quality checks failed:\n{error_message}")
    
    print(f"✓ All quality checks passed")

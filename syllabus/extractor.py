# The syllabus's "Pattern: API Extractor Class", pasted unchanged (trailing spaces included). Not the kit's
# code: notebook 08 shows and runs it, tests/solutions/test_extraction.py compares it with solutions.extraction, and
# bench/bench_landing.py measures it as its baseline.
import requests
import json
from datetime import datetime, timedelta

class SimplePracticeAPIExtractor:
    """Extract data from external APIs and load to Snowflake"""
    
    def __init__(self, api_key, snowflake_conn):
        self.api_key = api_key
        self.conn = snowflake_conn
        self.base_url = "https://api.partner.com/v1"
    
    def extract_appointments(self, start_date, end_date):
        """
        Extract appointments from external scheduling API.
        Handles pagination, rate limiting, retries.
        """
        appointments = []
        page = 1
        has_more = True
        
        while has_more:
            # API call with parameters
            response = requests.get(
                f"{self.base_url}/appointments",
                headers={
                    'Authorization': f'Bearer {self.api_key}',
                    'Content-Type': 'application/json'
                },
                params={
                    'start_date': start_date,
                    'end_date': end_date,
                    'page': page,
                    'per_page': 100
                },
                timeout=30
            )
            
            # Handle errors
            if response.status_code != 200:
                raise Exception(f"API error: {response.status_code} - {response.text}")
            
            data = response.json()
            appointments.extend(data['appointments'])
            
            # Check pagination
            has_more = data.get('has_more', False)
            page += 1
            
            # Rate limiting - wait between requests
            if has_more:
                import time
                time.sleep(0.5)  # 500ms delay
        
        return appointments
    
    def load_to_snowflake(self, data, table_name):
        """Load extracted data to Snowflake staging table"""
        cursor = self.conn.cursor()
        
        # Create staging table if not exists
        cursor.execute(f"""
        CREATE TABLE IF NOT EXISTS staging.{table_name} (
            raw_data VARIANT,
            extracted_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP()
        )
        """)
        
        # Insert data as JSON
        for record in data:
            cursor.execute(
                f"INSERT INTO staging.{table_name} (raw_data) SELECT PARSE_JSON(%s)",
                (json.dumps(record),)
            )
        
        self.conn.commit()
        cursor.close()
        
        print(f"✓ Loaded {len(data)} records to staging.{table_name}")
    
    def extract_and_load(self, start_date, end_date):
        """Complete ETL: extract from API, load to Snowflake"""
        appointments = self.extract_appointments(start_date, end_date)
        self.load_to_snowflake(appointments, 'api_appointments')
        return len(appointments)

# Usage in Airflow
def extract_partner_appointments(**context):
    """Airflow task for API extraction"""
    import snowflake.connector
    
    # Get execution date
    execution_date = context['ds']
    
    # Connect to Snowflake
    conn = snowflake.connector.connect(
        user='airflow',
        password='{{ var.value.snowflake_password }}',
        account='simplepractice',
        warehouse='LOADING_WH',
        database='RAW',
        schema='STAGING'
    )
    
    # Extract and load
    extractor = SimplePracticeAPIExtractor(
        api_key='{{ var.value.partner_api_key }}',
        snowflake_conn=conn
    )
    
    count = extractor.extract_and_load(
        start_date=execution_date,
        end_date=execution_date
    )
    
    conn.close()
    
    print(f"✓ Extracted {count} appointments from partner API")

# The syllabus's decorator ("Handling API Rate Limits"), pasted unchanged (trailing spaces included), without
# its usage example. Not the kit's code: notebook 09 shows and runs it, exercises/ratelimit.py runs the same
# text on a fake clock, and bench/bench_ratelimit.py measures it.
import time
from functools import wraps

def rate_limit(max_per_second):
    """Decorator to enforce rate limiting"""
    min_interval = 1.0 / max_per_second
    last_called = [0.0]
    
    def decorator(func):
        @wraps(func)
        def wrapper(*args, **kwargs):
            elapsed = time.time() - last_called[0]
            wait_time = min_interval - elapsed
            if wait_time > 0:
                time.sleep(wait_time)
            last_called[0] = time.time()
            return func(*args, **kwargs)
        return wrapper
    return decorator

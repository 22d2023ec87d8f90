"""The micro-partition model: min/max per block, pruning with inclusive bounds, clustering depth and overlaps
worked by hand, and bad input named."""

from __future__ import annotations

import datetime as dt

import pytest

from solutions.warehouse_performance import (Partition, clustering_information, depth, may_match,
                                             partition_ranges, scanned)

P = Partition


def test_partition_ranges_keeps_each_blocks_min_and_max_in_load_order():
    assert partition_ranges([5, 1, 3, 9, 7, None, None], 2) == [P(1, 5, 2), P(3, 9, 2), P(7, 7, 2), P(None, None, 1)]


@pytest.mark.parametrize("size", [0, -1, 2.5, True, "3"])
def test_partition_ranges_refuses_a_bad_block_size(size):
    with pytest.raises(ValueError, match="rows_per_partition must be a positive integer"):
        partition_ranges([1, 2], size)


def test_pruning_reads_what_may_match_and_skips_the_rest():
    parts = [P(1, 10, 1), P(11, 20, 1), P(21, 30, 1), P(None, None, 1)]
    assert scanned(parts, 12, 15) == [P(11, 20, 1)]            # inside one partition: neither end in the range
    assert scanned(parts, 20, 21) == [P(11, 20, 1), P(21, 30, 1)]  # both ends inclusive
    assert scanned(parts, 31, 40) == []
    assert scanned(parts, None, 5) == [P(1, 10, 1)]             # unbounded below
    assert scanned(parts) == parts[:3]                          # no filter: every partition with values


def test_pruning_works_on_dates():
    parts = partition_ranges([dt.date(2025, 9, d) for d in range(1, 31)], 10)
    assert len(scanned(parts, dt.date(2025, 9, 8), dt.date(2025, 9, 14))) == 2


def test_an_empty_range_is_an_error_not_an_empty_answer():
    with pytest.raises(ValueError, match="empty range: low 5 is above high 1"):
        may_match(P(1, 10, 1), 5, 1)


def test_sorted_data_has_depth_one_and_no_overlaps():
    info = clustering_information(partition_ranges(range(100), 10))
    assert info == {"total_partition_count": 10, "total_constant_partition_count": 0, "average_overlaps": 0.0,
                    "average_depth": 1.0, "partition_depth_histogram": {1: 10}}


def test_depth_and_overlaps_worked_by_hand():
    # A [1, 10] and B [5, 15] overlap; C [12, 20] overlaps B only; D [30, 30] is constant and alone.
    a, b, c, d = P(1, 10, 1), P(5, 15, 1), P(12, 20, 1), P(30, 30, 1)
    parts = [a, b, c, d]
    assert [depth(p, parts) for p in parts] == [2, 2, 2, 1]   # no value lies in all three of A, B, C
    info = clustering_information(parts)
    assert info["average_overlaps"] == 1.0                   # (1 + 2 + 1 + 0) / 4
    assert info["average_depth"] == 1.75
    assert info["total_constant_partition_count"] == 1
    assert info["partition_depth_histogram"] == {1: 1, 2: 3}


def test_shuffled_data_is_as_deep_as_the_table():
    values = [(i * 37) % 100 for i in range(100)]            # every block of 10 spans nearly the whole range
    info = clustering_information(partition_ranges(values, 10))
    assert info["average_depth"] == 10.0 and info["average_overlaps"] == 9.0


def test_null_partitions_count_but_overlap_nothing():
    info = clustering_information([P(None, None, 5), P(1, 2, 5)])
    assert info["total_partition_count"] == 2 and info["average_depth"] == 1.0
    assert clustering_information([])["average_depth"] == 0.0

//! `willai eval` (tests being written).

//! `willai eval`: agreement between two sets of exposure labels (placeholder, being written).

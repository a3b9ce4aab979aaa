//! O*NET major groups: the first two digits of an O*NET-SOC code name one of the 23
//! major groups of the 2018 Standard Occupational Classification. The site's index groups
//! professions by them, breadcrumbs name them, "other professions" prefer the same group
//! (`publish::groups`), and an audit's report gives its shares per group. A profession
//! without a code (or with one outside the list) goes in "Other".

use serde::Serialize;

/// The 23 SOC 2018 major groups, by code.
pub const MAJOR_GROUPS: [(&str, &str); 23] = [
    ("11", "Management"),
    ("13", "Business and Financial Operations"),
    ("15", "Computer and Mathematical"),
    ("17", "Architecture and Engineering"),
    ("19", "Life, Physical, and Social Science"),
    ("21", "Community and Social Service"),
    ("23", "Legal"),
    ("25", "Educational Instruction and Library"),
    ("27", "Arts, Design, Entertainment, Sports, and Media"),
    ("29", "Healthcare Practitioners and Technical"),
    ("31", "Healthcare Support"),
    ("33", "Protective Service"),
    ("35", "Food Preparation and Serving Related"),
    ("37", "Building and Grounds Cleaning and Maintenance"),
    ("39", "Personal Care and Service"),
    ("41", "Sales and Related"),
    ("43", "Office and Administrative Support"),
    ("45", "Farming, Fishing, and Forestry"),
    ("47", "Construction and Extraction"),
    ("49", "Installation, Maintenance, and Repair"),
    ("51", "Production"),
    ("53", "Transportation and Material Moving"),
    ("55", "Military Specific"),
];

/// The group of professions without a known major group; listed last.
pub const OTHER: Group = Group {
    code: "other",
    name: "Other professions",
};

/// A major group as pages and the API show it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Group {
    /// "15", or "other".
    pub code: &'static str,
    pub name: &'static str,
}

/// The major group of an O*NET-SOC code ("15-2051.00" -> Computer and Mathematical).
pub fn of(soc: Option<&str>) -> Group {
    soc.and_then(|s| s.get(..2))
        .and_then(|two| MAJOR_GROUPS.iter().find(|(c, _)| *c == two))
        .map(|&(code, name)| Group { code, name })
        .unwrap_or(OTHER)
}

/// Sort key: the groups in code order, "Other" last.
pub fn rank(g: &Group) -> usize {
    MAJOR_GROUPS
        .iter()
        .position(|(c, _)| *c == g.code)
        .unwrap_or(MAJOR_GROUPS.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_name_their_major_group() {
        assert_eq!(of(Some("15-2051.00")).name, "Computer and Mathematical");
        assert_eq!(of(Some("55-1011.00")).code, "55");
        assert_eq!(of(Some("99-0000.00")), OTHER);
        assert_eq!(of(Some("1")), OTHER);
        assert_eq!(of(None), OTHER);
        assert!(rank(&of(Some("11-1011.00"))) < rank(&of(Some("53-1011.00"))));
        assert_eq!(rank(&OTHER), 23);
    }
}

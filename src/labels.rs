//! Label vocabularies: status labels, platform aliases and group aliases.
//!
//! Labels are compared after [`normalize_label`]: lower case, `-`, `_`, `.` and `'` read as spaces,
//! runs of white space folded to one, ends trimmed. So `Geo-blocked`, `geo blocked` and
//! `GEO_BLOCKED` are one label. User entries are added on top of the built-in ones and win.

use std::collections::HashMap;

use crate::schema::Status;

/// Folds a label for lookup: lower case, punctuation `- _ . '` to spaces, white space collapsed.
pub fn normalize_label(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut space = false;
    for ch in s.trim().chars() {
        let ch = match ch {
            '-' | '_' | '.' | '\'' | '\u{2019}' => ' ',
            c if c.is_whitespace() => ' ',
            c => c,
        };
        if ch == ' ' {
            space = !out.is_empty();
            continue;
        }
        if space {
            out.push(' ');
            space = false;
        }
        out.extend(ch.to_lowercase());
    }
    out
}

/// Built-in status labels and the outcome each means. Sources use many words for the four
/// outcomes; these are the common ones. "blocked" is read as removed (the platform took the
/// account down); map it to `restricted` yourself where a source means a country block.
pub const DEFAULT_STATUS_LABELS: &[(&str, Status)] = &[
    ("removed", Status::Removed),
    ("blocked", Status::Removed),
    ("taken down", Status::Removed),
    ("takedown", Status::Removed),
    ("deleted", Status::Removed),
    ("suspended", Status::Removed),
    ("banned", Status::Removed),
    ("terminated", Status::Removed),
    ("content removed", Status::Removed),
    ("account removed", Status::Removed),
    ("offline", Status::Removed),
    ("restricted", Status::Restricted),
    ("withheld", Status::Restricted),
    ("country withheld", Status::Restricted),
    ("geo blocked", Status::Restricted),
    ("geoblocked", Status::Restricted),
    ("geo restricted", Status::Restricted),
    ("locally restricted", Status::Restricted),
    ("restricted locally", Status::Restricted),
    ("access restricted", Status::Restricted),
    ("rejected", Status::Rejected),
    ("declined", Status::Rejected),
    ("refused", Status::Rejected),
    ("denied", Status::Rejected),
    ("no action", Status::Rejected),
    ("no action taken", Status::Rejected),
    ("not actioned", Status::Rejected),
    ("pending", Status::Pending),
    ("still accessible", Status::Pending),
    ("accessible", Status::Pending),
    ("open", Status::Pending),
    ("under review", Status::Pending),
    ("in review", Status::Pending),
    ("in progress", Status::Pending),
    ("received", Status::Pending),
    ("awaiting response", Status::Pending),
    ("no response", Status::Pending),
];

/// Built-in platform aliases (after normalization) and the canonical platform id.
pub const DEFAULT_PLATFORM_ALIASES: &[(&str, &str)] = &[
    ("facebook", "facebook"),
    ("fb", "facebook"),
    ("meta facebook", "facebook"),
    ("facebook com", "facebook"),
    ("instagram", "instagram"),
    ("ig", "instagram"),
    ("insta", "instagram"),
    ("tiktok", "tiktok"),
    ("tik tok", "tiktok"),
    ("x", "x"),
    ("twitter", "x"),
    ("x (formerly twitter)", "x"),
    ("x (twitter)", "x"),
    ("twitter (x)", "x"),
    ("x/twitter", "x"),
    ("twitter/x", "x"),
    ("x com", "x"),
    ("twitter com", "x"),
    ("telegram", "telegram"),
    ("tg", "telegram"),
    ("whatsapp", "whatsapp"),
    ("whats app", "whatsapp"),
    ("wa", "whatsapp"),
    ("youtube", "youtube"),
    ("yt", "youtube"),
    ("you tube", "youtube"),
    ("google", "google"),
];

/// Built-in aliases for the groups in the Pakistan case. Pakistan's government has called the TTP
/// "Fitna al-Khawarij" since 2024.
pub const DEFAULT_GROUP_ALIASES: &[(&str, &str)] = &[
    ("ttp", "TTP"),
    ("tehreek e taliban pakistan", "TTP"),
    ("tehrik e taliban pakistan", "TTP"),
    ("tehrik i taliban pakistan", "TTP"),
    ("tehreek i taliban pakistan", "TTP"),
    ("tehrik taliban pakistan", "TTP"),
    ("pakistani taliban", "TTP"),
    ("fitna al khawarij", "TTP"),
    ("bla", "BLA"),
    ("baloch liberation army", "BLA"),
    ("balochistan liberation army", "BLA"),
    ("baluch liberation army", "BLA"),
    ("blf", "BLF"),
    ("baloch liberation front", "BLF"),
    ("balochistan liberation front", "BLF"),
    ("baluch liberation front", "BLF"),
];

/// The three lookup tables a load uses, built-in entries first, user entries on top.
#[derive(Debug, Clone)]
pub struct Vocabulary {
    status: HashMap<String, Status>,
    platform: HashMap<String, String>,
    group: HashMap<String, String>,
}

impl Vocabulary {
    /// Builds the tables from the built-in entries plus the user's (user entries win).
    pub fn new(status: &[(String, Status)], platform: &[(String, String)], group: &[(String, String)]) -> Self {
        let mut s: HashMap<String, Status> =
            DEFAULT_STATUS_LABELS.iter().map(|(k, v)| (normalize_label(k), *v)).collect();
        // `unknown` is not a label a case log may use: only a source without outcomes adds it.
        for &st in Status::OUTCOMES {
            s.insert(st.as_str().to_string(), st);
        }
        s.extend(status.iter().map(|(k, v)| (normalize_label(k), *v)));
        let mut p: HashMap<String, String> =
            DEFAULT_PLATFORM_ALIASES.iter().map(|(k, v)| (normalize_label(k), v.to_string())).collect();
        p.extend(platform.iter().map(|(k, v)| (normalize_label(k), v.clone())));
        let mut g: HashMap<String, String> =
            DEFAULT_GROUP_ALIASES.iter().map(|(k, v)| (normalize_label(k), v.to_string())).collect();
        // The registry's names and spellings of the groups ([`crate::designations`]).
        g.extend(crate::designations::group_aliases().iter().map(|(k, v)| (normalize_label(k), v.clone())));
        g.extend(group.iter().map(|(k, v)| (normalize_label(k), v.clone())));
        Vocabulary { status: s, platform: p, group: g }
    }

    /// The outcome a status label means, or None when the label is not in the vocabulary.
    pub fn status(&self, label: &str) -> Option<Status> {
        self.status.get(&normalize_label(label)).copied()
    }

    /// The canonical platform id of a known platform label (built in or added), else `None`.
    pub fn platform_alias(&self, label: &str) -> Option<String> {
        self.platform.get(&normalize_label(label)).cloned()
    }

    /// The canonical group id of a known group label (built in or added), else `None`.
    pub fn group_alias(&self, label: &str) -> Option<String> {
        self.group.get(&normalize_label(label)).cloned()
    }

    /// The canonical platform id: an alias's target, else the label as given (trimmed).
    /// Platforms are an open set, so an unknown name is kept as it is, not rejected or renamed;
    /// a load lists it as new in its report.
    pub fn platform(&self, label: &str) -> String {
        self.platform_alias(label).unwrap_or_else(|| label.trim().to_string())
    }

    /// The canonical group id: an alias's target, else the label as given (trimmed). Groups are an
    /// open set; a load lists unknown ones as new in its report.
    pub fn group(&self, label: &str) -> String {
        self.group_alias(label).unwrap_or_else(|| label.trim().to_string())
    }
}

impl Default for Vocabulary {
    fn default() -> Self {
        Vocabulary::new(&[], &[], &[])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalization_folds_case_punctuation_and_space() {
        assert_eq!(normalize_label("  Geo-Blocked "), "geo blocked");
        assert_eq!(normalize_label("GEO_BLOCKED"), "geo blocked");
        assert_eq!(normalize_label("X  (formerly   Twitter)"), "x (formerly twitter)");
        assert_eq!(normalize_label("Tehrik-i-Taliban Pakistan"), "tehrik i taliban pakistan");
        assert_eq!(normalize_label(""), "");
    }

    #[test]
    fn builtin_aliases() {
        let v = Vocabulary::default();
        assert_eq!(v.platform("Twitter"), "x");
        assert_eq!(v.platform("X (formerly Twitter)"), "x");
        assert_eq!(v.platform("FB"), "facebook");
        assert_eq!(v.platform("ig"), "instagram");
        assert_eq!(v.platform("Tik Tok"), "tiktok");
        assert_eq!(v.platform(" Mastodon Social "), "Mastodon Social");
        assert_eq!(v.platform_alias("Mastodon Social"), None);
        assert_eq!(v.group("Baloch Liberation Army"), "BLA");
        assert_eq!(v.group("tehreek-e-taliban pakistan"), "TTP");
        assert_eq!(v.group("ISKP"), "ISKP");
        assert_eq!(v.status("Taken Down"), Some(Status::Removed));
        assert_eq!(v.status("geo-blocked"), Some(Status::Restricted));
        assert_eq!(v.status("Still accessible"), Some(Status::Pending));
        assert_eq!(v.status("declined"), Some(Status::Rejected));
        assert_eq!(v.status("maybe"), None);
    }

    #[test]
    fn user_entries_extend_and_override() {
        let v = Vocabulary::new(
            &[("blocked".into(), Status::Restricted), ("actioned".into(), Status::Removed)],
            &[("Threads".into(), "threads".into())],
            &[("Jamaat ul Ahrar".into(), "JuA".into())],
        );
        assert_eq!(v.status("Blocked"), Some(Status::Restricted));
        assert_eq!(v.status("actioned"), Some(Status::Removed));
        assert_eq!(v.group("jamaat-ul-ahrar"), "JuA");
        assert_eq!(v.platform("threads"), "threads");
    }
}

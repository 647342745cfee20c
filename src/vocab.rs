//! Closed vocabularies ([`Named`]): the options that take one of a few names (`pending = "against"`).
//!
//! Each is declared once with [`vocabulary!`](crate::vocabulary), which gives the enum its one canonical name per
//! value ([`Named::as_str`], `Display`, serde), the parse from exactly that name (`FromStr`,
//! failing with [`Error::InvalidArgument`] that lists the names and suggests the nearest one) and
//! the list of names ([`Named::NAMES`]). The Python binding converts with the same `FromStr`,
//! and the Python package's `Literal` types are checked against [`crate::vocabularies`] by its tests.

use crate::error::Error;

/// A closed set of named values (implemented by [`vocabulary!`](crate::vocabulary)).
pub trait Named: Sized + Copy + 'static {
    /// The option that takes this vocabulary (`pending`), for error messages.
    const ARGUMENT: &'static str;
    /// Every value, in declaration order.
    const ALL: &'static [Self];
    /// The canonical names, in the order of [`Named::ALL`].
    const NAMES: &'static [&'static str];
    /// The canonical name.
    fn as_str(self) -> &'static str;
}

/// The error for a name that is not in `names`: lists them, with the nearest as a suggestion.
pub(crate) fn unknown(argument: &str, got: &str, names: &[&str]) -> Error {
    let near = nearest(&got.to_ascii_lowercase(), names, |n| 2.max(n.len() / 3))
        .map(|n| format!(" (did you mean {n:?}?)"))
        .unwrap_or_default();
    let quoted: Vec<String> = names.iter().map(|n| format!("{n:?}")).collect();
    Error::invalid_arg(argument, format!("unknown value {got:?}{near}; use one of {}", quoted.join(", ")))
}

/// The name in `names` nearest to `got`, when it is within `max(name)` edits (for suggestions).
pub(crate) fn nearest<'a>(got: &str, names: &[&'a str], max: impl Fn(&str) -> usize) -> Option<&'a str> {
    names.iter().map(|n| (edit_distance(got, n), *n)).min().filter(|(d, n)| *d <= max(n)).map(|(_, n)| n)
}

/// Levenshtein distance (for suggestions only; names are short).
pub(crate) fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            cur[j + 1] = (prev[j] + usize::from(ca != *cb)).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

/// Declares a vocabulary enum: `vocabulary! { /// doc  pub enum PendingRule("pending") { /// doc
/// Against = "against", ... } }`. Add `#[derive(Default)]` and `#[default]` as for any enum.
#[macro_export]
#[doc(hidden)]
macro_rules! vocabulary {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident($arg:literal) {
            $( $(#[$vmeta:meta])* $variant:ident = $text:literal ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
        $vis enum $name {
            $( $(#[$vmeta])* #[serde(rename = $text)] $variant ),+
        }

        impl $crate::vocab::Named for $name {
            const ARGUMENT: &'static str = $arg;
            const ALL: &'static [Self] = &[$($name::$variant),+];
            const NAMES: &'static [&'static str] = &[$($text),+];
            fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
        }

        impl $name {
            /// The canonical name.
            pub fn as_str(self) -> &'static str {
                <Self as $crate::vocab::Named>::as_str(self)
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = $crate::error::Error;
            /// Parses exactly a canonical name.
            fn from_str(s: &str) -> ::std::result::Result<Self, Self::Err> {
                match s {
                    $($text => Ok($name::$variant),)+
                    other => Err($crate::vocab::unknown($arg, other, &[$($text),+])),
                }
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::compliance::PendingRule;

    #[test]
    fn names_round_trip_and_misspellings_are_refused_with_a_suggestion() {
        for (_, names) in crate::vocabularies() {
            assert!(!names.is_empty());
        }
        for v in PendingRule::ALL {
            assert_eq!(v.as_str().parse::<PendingRule>().unwrap(), *v);
            assert_eq!(v.to_string(), v.as_str());
        }
        let e = "exlcude".parse::<PendingRule>().unwrap_err().to_string();
        assert!(e.contains("did you mean \"exclude\"?"), "{e}");
        assert!(e.contains("\"against\", \"exclude\""), "{e}");
        // Exactly the canonical name: no case folding, no aliases.
        assert!("Exclude".parse::<PendingRule>().is_err());
        assert!("nonsense".parse::<PendingRule>().unwrap_err().to_string().find("did you mean").is_none());
    }

    #[test]
    fn every_argument_is_named_once() {
        let mut args: Vec<&str> = crate::vocabularies().iter().map(|(a, _)| *a).collect();
        args.sort_unstable();
        let n = args.len();
        args.dedup();
        assert_eq!(args.len(), n, "two vocabularies share an argument name");
    }

    #[test]
    fn edit_distance_is_levenshtein() {
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("exlcude", "exclude"), 2);
    }
}

//! Closed lists of terms: the stored and sent codes of every status, kind and category, declared
//! once with [`vocabulary!`] so that code, database and API agree and no bare code string travels
//! through the program.

/// The allowed codes joined for an error message, so a caller learns what to send instead.
pub fn codes<T: Copy>(all: &[T], code: impl Fn(T) -> &'static str) -> String {
    all.iter().map(|&t| code(t)).collect::<Vec<_>>().join(", ")
}

/// Declares one closed list of terms: the enum with its serde and OpenAPI derives, its `ALL`
/// array, `as_str`, `parse` and `Display`, and — when each term has a label in bokmål and
/// English — `label`. A nynorsk label comes from the catalogue's `[labels]` table
/// (`labels.<Enum>.<code>`) where nynorsk writes it otherwise, else it is the bokmål one. One declaration per term keeps a code and its two labels on the same line,
/// so they cannot drift apart.
///
/// A `#[schema(as = …)]` among the attributes names the term list in the OpenAPI description
/// where another list has the same name.
///
/// ```ignore
/// vocabulary! {
///     pub enum Side ("side") {
///         Private => "private", "Privat", "Private";
///     }
/// }
/// vocabulary! {
///     pub enum Stored ("status") {
///         Pending => "pending";
///     }
/// }
/// ```
macro_rules! vocabulary {
    (
        $(#[$meta:meta])*
        pub enum $name:ident ($what:literal) {
            $( $variant:ident => $code:literal, $nb:literal, $en:literal; )+
        }
    ) => {
        $crate::vocabulary::vocabulary! {
            $(#[$meta])*
            pub enum $name ($what) {
                $( $variant => $code; )+
            }
        }

        impl $name {
            pub fn label(self, lang: $crate::web::i18n::Lang) -> &'static str {
                match (self, lang) {
                    $(
                        (Self::$variant, $crate::web::i18n::Lang::Nb) => $nb,
                        (Self::$variant, $crate::web::i18n::Lang::Nn) =>
                            $crate::web::i18n::nynorsk_label(
                                concat!(stringify!($name), ".", $code),
                            )
                            .unwrap_or($nb),
                        (Self::$variant, $crate::web::i18n::Lang::En) => $en,
                    )+
                }
            }
        }
    };
    (
        $(#[$meta:meta])*
        pub enum $name:ident ($what:literal) {
            $( $variant:ident => $code:literal; )+
        }
    ) => {
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, ::serde::Serialize,
            ::serde::Deserialize, ::utoipa::ToSchema,
        )]
        #[serde(rename_all = "snake_case")]
        $(#[$meta])*
        pub enum $name {
            $( $variant, )+
        }

        impl $name {
            /// Every term, in the order forms and pictures show them.
            pub const ALL: [$name; [$($code),+].len()] = [$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self {
                    $( Self::$variant => $code, )+
                }
            }

            pub fn parse(input: &str) -> Result<Self, String> {
                Self::ALL
                    .into_iter()
                    .find(|term| term.as_str() == input.trim())
                    .ok_or_else(|| {
                        format!(
                            concat!("the ", $what, " must be one of {}"),
                            $crate::vocabulary::codes(&Self::ALL, |t| t.as_str())
                        )
                    })
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}
pub(crate) use vocabulary;

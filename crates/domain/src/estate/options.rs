//! The menu of options (seed 002 §2.1, §4.1): for each response level, the
//! options an estates manager considers to raise the security of a site, each
//! with its resource implications (hours and cost per site per day, training)
//! and what staff are told to do. For each site, which options are in force
//! and which were considered and declined, with the reason.
//!
//! The menu and its deployment are OFFICIAL-SENSITIVE: staff see only the
//! instructions of the options in force at their own site.

use super::FieldError;
use crate::threat::ResponseLevel;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// The shipped menu (`reference/estate-options.toml`).
pub const ESTATE_OPTIONS_TOML: &str = include_str!("../../../../reference/estate-options.toml");

/// One option of the menu.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EstateOption {
    /// A short slug, such as `vehicle-checks`.
    pub id: String,
    pub title: String,
    /// The response levels at which it is considered.
    pub levels: Vec<ResponseLevel>,
    /// Officer or staff hours per site per day.
    pub hours_per_day: f64,
    /// Pounds per site per day, beyond staff time.
    pub cost_per_day: u32,
    /// The training staff need (empty if none).
    #[serde(default)]
    pub training: String,
    /// What staff at the site are told to do while it is in force.
    pub instruction: String,
    /// Taken off the menu: kept for the record, no longer considered.
    #[serde(default)]
    pub retired: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMenu {
    option: Vec<EstateOption>,
}

/// Parses and checks a menu file.
pub fn parse_menu(text: &str) -> Result<Vec<EstateOption>, String> {
    let raw: RawMenu = toml::from_str(text).map_err(|e| e.to_string())?;
    let mut seen = BTreeSet::new();
    for o in &raw.option {
        o.check().map_err(|e| format!("option {:?}: {}: {}", o.id, e.field, e.message))?;
        if !seen.insert(o.id.clone()) {
            return Err(format!("option {:?} appears twice", o.id));
        }
    }
    Ok(raw.option)
}

/// The shipped menu, parsed (it is checked by a test, so this cannot fail).
pub fn shipped_menu() -> Vec<EstateOption> {
    parse_menu(ESTATE_OPTIONS_TOML).unwrap_or_default()
}

impl EstateOption {
    /// Checks an option as it is saved; each error names its field.
    pub fn check(&self) -> Result<(), FieldError> {
        if !crate::ids::is_id(&self.id) {
            return Err(FieldError::new(
                "id",
                "Enter a short identifier for the option: letters, digits and hyphens, 64 or fewer",
            ));
        }
        for (field, value, what) in [
            ("title", &self.title, "what the option is"),
            ("instruction", &self.instruction, "what staff are told to do"),
        ] {
            if value.trim().is_empty() {
                return Err(FieldError::new(field, format!("Enter {what}")));
            }
            if value.chars().count() > 1000 {
                return Err(FieldError::new(field, format!("Enter {what} in 1,000 characters or fewer")));
            }
        }
        if self.training.chars().count() > 1000 {
            return Err(FieldError::new("training", "Enter the training needed in 1,000 characters or fewer"));
        }
        if self.levels.is_empty() {
            return Err(FieldError::new("levels", "Choose at least one response level at which it is considered"));
        }
        if !self.hours_per_day.is_finite() || self.hours_per_day < 0.0 || self.hours_per_day > 1000.0 {
            return Err(FieldError::new("hours_per_day", "Enter the hours per day as a number from 0 to 1,000"));
        }
        if self.cost_per_day > 1_000_000 {
            return Err(FieldError::new("cost_per_day", "Enter the cost per day in pounds, from 0 to 1,000,000"));
        }
        Ok(())
    }

    /// Whether it is considered at `level`.
    pub fn considered_at(&self, level: ResponseLevel) -> bool {
        !self.retired && self.levels.contains(&level)
    }
}

/// What was decided about an option at a site.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    /// Deployed at the site.
    InForce,
    /// Considered and declined, with the reason.
    Declined,
}

impl Decision {
    pub fn as_str(self) -> &'static str {
        match self {
            Decision::InForce => "in_force",
            Decision::Declined => "declined",
        }
    }

    pub fn words(self) -> &'static str {
        match self {
            Decision::InForce => "In force",
            Decision::Declined => "Declined",
        }
    }
}

impl std::str::FromStr for Decision {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.trim() {
            "in_force" => Ok(Decision::InForce),
            "declined" => Ok(Decision::Declined),
            _ => Err("Choose in_force or declined".into()),
        }
    }
}

/// Checks a decision about an option at a site: declining needs a reason.
pub fn check_decision(decision: Option<Decision>, reason: &str) -> Result<(), FieldError> {
    if decision == Some(Decision::Declined) && reason.trim().is_empty() {
        return Err(FieldError::new("reason", "Enter why the option was declined at this site"));
    }
    if reason.chars().count() > 2000 {
        return Err(FieldError::new("reason", "The reason must be 2,000 characters or fewer"));
    }
    Ok(())
}

/// The options that count at a site running at `level`: those in force there,
/// and those the menu holds for that level which the site has not declined.
/// This is what "going to `level`" would cost at the site.
pub fn options_at<'a>(
    menu: &'a [EstateOption],
    level: ResponseLevel,
    decisions: &BTreeMap<String, Decision>,
) -> Vec<&'a EstateOption> {
    menu.iter()
        .filter(|o| match decisions.get(&o.id) {
            Some(Decision::InForce) => true,
            Some(Decision::Declined) => false,
            None => o.considered_at(level),
        })
        .collect()
}

/// Resource implications: hours and pounds per day, and the training needed.
#[derive(Debug, Clone, Default, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Costs {
    pub hours_per_day: f64,
    pub cost_per_day: u64,
    pub training: BTreeSet<String>,
}

impl Costs {
    /// Adds what `options` cost at one site.
    pub fn add(&mut self, options: &[&EstateOption]) {
        for o in options {
            self.hours_per_day += o.hours_per_day;
            self.cost_per_day += u64::from(o.cost_per_day);
            if !o.training.trim().is_empty() {
                self.training.insert(o.training.trim().to_string());
            }
        }
    }

    /// Adds another total to this one.
    pub fn merge(&mut self, other: &Costs) {
        self.hours_per_day += other.hours_per_day;
        self.cost_per_day += other.cost_per_day;
        self.training.extend(other.training.iter().cloned());
    }
}

/// The response level a site would run at if the force went to `level`: a
/// site raised above it stays higher.
pub fn level_if(level: ResponseLevel, raised: Option<ResponseLevel>) -> ResponseLevel {
    raised.map_or(level, |r| r.max(level))
}

#[cfg(test)]
mod tests {
    use super::*;
    use ResponseLevel::*;

    fn opt(id: &str, levels: &[ResponseLevel], hours: f64, cost: u32, training: &str) -> EstateOption {
        EstateOption {
            id: id.into(),
            title: id.into(),
            levels: levels.to_vec(),
            hours_per_day: hours,
            cost_per_day: cost,
            training: training.into(),
            instruction: "do it".into(),
            retired: false,
        }
    }

    #[test]
    fn the_shipped_menu_parses_and_has_options_at_every_level() {
        let menu = parse_menu(ESTATE_OPTIONS_TOML).unwrap();
        assert_eq!(menu, shipped_menu());
        for l in ResponseLevel::ALL {
            assert!(menu.iter().any(|o| o.considered_at(l)), "{l}");
        }
        assert!(parse_menu("[[option]]\nid = \"x\"").is_err());
        let one = "[[option]]\nid = \"a\"\ntitle = \"A\"\nlevels = [\"NORMAL\"]\nhours_per_day = 1.0\ncost_per_day = 0\ninstruction = \"Do A\"\n";
        assert_eq!(parse_menu(one).unwrap().len(), 1);
        assert!(parse_menu(&format!("{one}{one}")).unwrap_err().contains("twice"));
    }

    #[test]
    fn an_option_needs_a_title_an_instruction_a_level_and_sensible_figures() {
        let o = opt("a", &[Normal], 1.0, 0, "");
        assert!(o.check().is_ok());
        assert_eq!(EstateOption { id: "a b".into(), ..o.clone() }.check().unwrap_err().field, "id");
        assert_eq!(EstateOption { title: " ".into(), ..o.clone() }.check().unwrap_err().field, "title");
        assert_eq!(EstateOption { instruction: "".into(), ..o.clone() }.check().unwrap_err().field, "instruction");
        assert_eq!(EstateOption { levels: vec![], ..o.clone() }.check().unwrap_err().field, "levels");
        assert_eq!(EstateOption { hours_per_day: -1.0, ..o.clone() }.check().unwrap_err().field, "hours_per_day");
        assert_eq!(EstateOption { hours_per_day: f64::NAN, ..o.clone() }.check().unwrap_err().field, "hours_per_day");
        assert_eq!(EstateOption { cost_per_day: 2_000_000, ..o }.check().unwrap_err().field, "cost_per_day");
    }

    #[test]
    fn declining_needs_a_reason() {
        assert_eq!(check_decision(Some(Decision::Declined), " ").unwrap_err().field, "reason");
        assert!(check_decision(Some(Decision::Declined), "no vehicle entrance").is_ok());
        assert!(check_decision(Some(Decision::InForce), "").is_ok());
        assert!(check_decision(None, "").is_ok());
    }

    #[test]
    fn a_site_counts_what_is_in_force_and_what_its_level_holds_unless_declined() {
        let menu = vec![
            opt("brief", &[Normal, Heightened, Exceptional], 1.0, 0, ""),
            opt("ids", &[Heightened, Exceptional], 8.0, 0, ""),
            opt("vehicles", &[Exceptional], 16.0, 120, "Vehicle search"),
            opt("armed", &[Exceptional], 48.0, 400, "AFO"),
        ];
        let none = BTreeMap::new();
        let ids = |v: Vec<&EstateOption>| v.into_iter().map(|o| o.id.clone()).collect::<Vec<_>>();
        assert_eq!(ids(options_at(&menu, Normal, &none)), ["brief"]);
        assert_eq!(ids(options_at(&menu, Exceptional, &none)), ["brief", "ids", "vehicles", "armed"]);
        let mut d = BTreeMap::new();
        d.insert("armed".to_string(), Decision::Declined);
        d.insert("vehicles".to_string(), Decision::InForce);
        // At HEIGHTENED, vehicle checks already in force still count.
        assert_eq!(ids(options_at(&menu, Heightened, &d)), ["brief", "ids", "vehicles"]);
        // At EXCEPTIONAL, the declined armed presence does not.
        let at = options_at(&menu, Exceptional, &d);
        let mut c = Costs::default();
        c.add(&at);
        assert_eq!(c.hours_per_day, 25.0);
        assert_eq!(c.cost_per_day, 120);
        assert_eq!(c.training.iter().collect::<Vec<_>>(), ["Vehicle search"]);
        let mut total = Costs::default();
        total.merge(&c);
        total.merge(&c);
        assert_eq!((total.hours_per_day, total.cost_per_day, total.training.len()), (50.0, 240, 1));
        // A retired option is no longer considered.
        let mut retired = menu.clone();
        retired[1].retired = true;
        assert_eq!(ids(options_at(&retired, Heightened, &none)), ["brief"]);
    }

    #[test]
    fn a_raised_site_stays_higher_when_the_force_goes_to_a_level() {
        assert_eq!(level_if(Heightened, None), Heightened);
        assert_eq!(level_if(Heightened, Some(Exceptional)), Exceptional);
        assert_eq!(level_if(Exceptional, Some(Heightened)), Exceptional);
    }
}

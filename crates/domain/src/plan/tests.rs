use super::*;
use crate::reference::{attack_methodologies, default_risk_matrix, ATTACK_METHODOLOGIES_TOML};
use proptest::prelude::*;

fn catalogue() -> Vec<AttackMethodology> {
    attack_methodologies(ATTACK_METHODOLOGIES_TOML).unwrap()
}

/// A plan that passes every readiness rule: VAW rated high with an accepted
/// measure and a contingency; everything else low or not applicable.
fn ready_plan(cat: &[AttackMethodology]) -> Plan {
    let mut items = vec![
        PlanItem::Tasking(Tasking {
            commissioned_by: "Ch Supt Morgan (Gold)".into(),
            commissioned_on: "2027-01-10".into(),
            terms_of_reference: "CT protective security plan for the marathon".into(),
        }),
        PlanItem::Intent(Intent { intent: "A safe event".into(), objectives: vec!["Protect the public".into()] }),
        PlanItem::ThreatAssessment(ThreatAssessment {
            id: "ta1".into(),
            source: "CTP North".into(),
            date: "2027-03-01".into(),
            summary: "No specific threat".into(),
            marking: Marking::OfficialSensitive,
            national_threat_level: Some("SUBSTANTIAL".into()),
            needs_review: false,
        }),
        PlanItem::ReconVisit(ReconVisit {
            id: "rv1".into(),
            date: "2027-03-05".into(),
            attendees: "SecCo, POLSA".into(),
            areas: "Start and finish".into(),
            findings: "Open vehicle approach on Market Street".into(),
            attachments: vec![],
            needs_review: false,
        }),
        PlanItem::TacticalPlan(TacticalPlan {
            id: "tp1".into(),
            kind: TacticalPlanKind::Traffic,
            owner: "Roads Policing".into(),
            version: "1.0".into(),
            received_on: "2027-03-02".into(),
            reviewed_by: "SecCo".into(),
            notes: String::new(),
        }),
    ];
    for m in cat {
        if m.id == "vehicle_as_a_weapon" {
            items.push(PlanItem::RiskAssessment(RiskAssessment {
                methodology: m.id.clone(),
                applicable: true,
                not_applicable_reason: String::new(),
                likelihood: Some(4),
                impact: Some(4),
                residual_likelihood: Some(3),
                residual_impact: Some(4),
                no_measure_rationale: String::new(),
                needs_review: false,
            }));
        } else if m.id == "drone" {
            items.push(PlanItem::RiskAssessment(RiskAssessment {
                methodology: m.id.clone(),
                applicable: false,
                not_applicable_reason: "Flight restriction zone in force".into(),
                likelihood: None,
                impact: None,
                residual_likelihood: None,
                residual_impact: None,
                no_measure_rationale: String::new(),
                needs_review: false,
            }));
        } else {
            items.push(PlanItem::RiskAssessment(RiskAssessment {
                methodology: m.id.clone(),
                applicable: true,
                not_applicable_reason: String::new(),
                likelihood: Some(2),
                impact: Some(2),
                residual_likelihood: None,
                residual_impact: None,
                no_measure_rationale: String::new(),
                needs_review: false,
            }));
        }
    }
    items.push(PlanItem::Measure(Measure {
        id: "m1".into(),
        title: "Impact-tested barriers on Market Street".into(),
        from_library: true,
        risks: vec!["vehicle_as_a_weapon".into()],
        vulnerabilities: vec![],
        tactical_plan: Some("tp1".into()),
        status: MeasureStatus::Accepted,
        decline_reason: None,
        rationale: String::new(),
    }));
    items.push(PlanItem::Contingency(Contingency {
        id: "c1".into(),
        risks: vec!["vehicle_as_a_weapon".into()],
        trigger: "Vehicle breach".into(),
        actions: "Invacuate; close roads".into(),
        owner: "Silver".into(),
    }));
    items.push(PlanItem::Recommendation(Recommendation {
        id: "r1".into(),
        text: "Deploy HVM at all entry points".into(),
        priority: Priority::High,
        risks: vec!["vehicle_as_a_weapon".into()],
        proportionality_rationale: "Open approach and a crowd of 85,000".into(),
        status: RecommendationStatus::Accepted,
    }));
    Plan::from_items(items)
}

fn rules(plan: &Plan, cat: &[AttackMethodology]) -> Vec<&'static str> {
    let m = default_risk_matrix().unwrap();
    let cx = Context { matrix: &m, catalogue: cat, plan };
    let mut r: Vec<_> = readiness(plan, &cx).into_iter().map(|p| p.rule).collect();
    r.dedup();
    r
}

#[test]
fn a_complete_plan_is_ready() {
    let cat = catalogue();
    assert_eq!(rules(&ready_plan(&cat), &cat), Vec::<&str>::new());
}

#[test]
fn each_readiness_rule_fails_alone() {
    let cat = catalogue();
    type Breaker = Box<dyn Fn(&mut Plan)>;
    let cases: Vec<(&str, Breaker)> = vec![
        ("tasking", Box::new(|p| p.tasking = None)),
        ("intent", Box::new(|p| p.intent = None)),
        ("threat_assessment", Box::new(|p| p.threat_assessments.clear())),
        ("methodology_assessed", Box::new(|p| p.risk_assessments.retain(|a| a.methodology != "insider_threat"))),
        (
            "methodology_assessed",
            Box::new(|p| {
                let a = p.risk_assessments.iter_mut().find(|a| a.methodology == "drone").unwrap();
                a.not_applicable_reason.clear();
            }),
        ),
        (
            "risk_treated",
            Box::new(|p| {
                p.measures[0].status = MeasureStatus::Proposed;
            }),
        ),
        ("residual_contingency", Box::new(|p| p.contingencies.clear())),
        ("recommendation_rationale", Box::new(|p| p.recommendations[0].proportionality_rationale.clear())),
        ("tactical_plan_reviewed", Box::new(|p| p.tactical_plans[0].reviewed_by.clear())),
        ("reconnaissance", Box::new(|p| p.recon_visits.clear())),
    ];
    for (rule, break_it) in cases {
        let mut p = ready_plan(&cat);
        break_it(&mut p);
        assert_eq!(rules(&p, &cat), vec![rule], "breaking {rule}");
    }
    // A reason for no visit satisfies the reconnaissance rule.
    let mut p = ready_plan(&cat);
    p.recon_visits.clear();
    p.no_recon_reason = Some("Venue closed for works; site plans used".into());
    assert!(rules(&p, &cat).is_empty());
    // A recorded rationale satisfies the treatment rule.
    let mut p = ready_plan(&cat);
    p.measures[0].status = MeasureStatus::Proposed;
    p.risk_assessments.iter_mut().find(|a| a.methodology == "vehicle_as_a_weapon").unwrap().no_measure_rationale =
        "Road closed to all traffic by order".into();
    assert!(rules(&p, &cat).is_empty());
}

#[test]
fn residual_risk_and_proportionality() {
    let cat = catalogue();
    let m = default_risk_matrix().unwrap();
    let mut p = ready_plan(&cat);
    // A measure declined for resources stays visible and the risk stays residual.
    p.measures[0].status = MeasureStatus::Declined;
    p.measures[0].decline_reason = Some(DeclineReason::Resources);
    p.measures[0].rationale = "No barriers available".into();
    let cx = Context { matrix: &m, catalogue: &cat, plan: &p };
    let vaw = risk_rows(&p, &cx).into_iter().find(|r| r.methodology == "vehicle_as_a_weapon").unwrap();
    assert_eq!(vaw.inherent.as_ref().unwrap().band, "High");
    assert_eq!(vaw.accepted_measures, 0);
    assert_eq!(vaw.declined_for_resources, vec!["Measure: Impact-tested barriers on Market Street".to_string()]);
    assert!(vaw.residual_at_or_above_tolerance);
    let c = coverage(&p, &cx);
    assert!(c.iter().find(|r| r.methodology == "vehicle_as_a_weapon").unwrap().gap);
    // Residual defaults to the inherent rating when not recorded.
    let fire = risk_rows(&p, &cx).into_iter().find(|r| r.methodology == "fire_as_a_weapon").unwrap();
    assert_eq!(fire.residual, fire.inherent);
}

#[test]
fn bad_items_name_their_field() {
    let cat = catalogue();
    let m = default_risk_matrix().unwrap();
    let p = ready_plan(&cat);
    let cx = Context { matrix: &m, catalogue: &cat, plan: &p };
    let mut a = p.risk_assessments[0].clone();
    a.likelihood = Some(6);
    assert_eq!(check_item(&PlanItem::RiskAssessment(a.clone()), &cx).unwrap_err().field, "likelihood");
    a.likelihood = Some(2);
    a.impact = Some(0);
    assert_eq!(check_item(&PlanItem::RiskAssessment(a.clone()), &cx).unwrap_err().field, "impact");
    a.methodology = "alien_invasion".into();
    assert_eq!(check_item(&PlanItem::RiskAssessment(a), &cx).unwrap_err().field, "methodology");
    let mut measure = p.measures[0].clone();
    measure.vulnerabilities = vec!["v-of-another-event".into()];
    assert_eq!(check_item(&PlanItem::Measure(measure.clone()), &cx).unwrap_err().field, "vulnerabilities");
    measure.vulnerabilities.clear();
    measure.tactical_plan = Some("tp-elsewhere".into());
    assert_eq!(check_item(&PlanItem::Measure(measure), &cx).unwrap_err().field, "tactical_plan");
}

#[test]
fn diff_is_field_by_field_and_ignores_order() {
    let cat = catalogue();
    let a = ready_plan(&cat);
    let mut b = a.clone();
    b.measures[0].status = MeasureStatus::Declined;
    b.recommendations.reverse();
    b.powers.push(Power {
        id: "p1".into(),
        title: "Road closure order".into(),
        reference: "RTRA 1984 s.14".into(),
        notes: String::new(),
    });
    let changes = diff(&serde_json::to_value(&a).unwrap(), &serde_json::to_value(&b).unwrap());
    let paths: Vec<&str> = changes.iter().map(|c| c.path.as_str()).collect();
    assert!(paths.contains(&"measures/m1/status"), "{paths:?}");
    assert!(paths.contains(&"powers/p1/title"), "{paths:?}");
    let status = changes.iter().find(|c| c.path == "measures/m1/status").unwrap();
    assert_eq!(status.before.as_deref(), Some("Accepted"));
    assert_eq!(status.after.as_deref(), Some("Declined"));
    assert!(status.label.contains("Impact-tested barriers"), "{}", status.label);
    assert!(status.label.ends_with("Decision"), "fields carry their labels: {}", status.label);
    assert!(diff(&serde_json::to_value(&a).unwrap(), &serde_json::to_value(&a).unwrap()).is_empty());
}

#[test]
fn diff_names_items_and_methodologies_instead_of_ids() {
    let cat = catalogue();
    let a = ready_plan(&cat);
    let mut b = a.clone();
    b.measures[0].tactical_plan = None;
    let first = b.risk_assessments[0].methodology.clone();
    b.risk_assessments[0].likelihood = Some(1);
    let name = cat.iter().find(|m| m.id == first).unwrap().name.clone();
    // As issued: the plan and the risk rows, which carry each methodology's name.
    let snapshot = |p: &Plan| {
        let m = default_risk_matrix().unwrap();
        let cx = Context { matrix: &m, catalogue: &cat, plan: p };
        serde_json::json!({"plan": p, "risks": risk_rows(p, &cx)})
    };
    let changes = diff(&snapshot(&a), &snapshot(&b));
    let tp = changes.iter().find(|c| c.path.ends_with("/tactical_plan")).expect("the tactical plan changed");
    let tp_name = a.tactical_plans.iter().find(|t| Some(&t.id) == a.measures[0].tactical_plan.as_ref()).unwrap();
    assert_eq!(tp.before.as_deref(), Some(tactical_item_name(tp_name).as_str()), "{tp:?}");
    let l = changes
        .iter()
        .find(|c| c.path == format!("plan/risk_assessments/{first}/likelihood"))
        .expect("the likelihood changed");
    assert!(l.label.contains(&name) && !l.label.contains(&first), "{}", l.label);
    let risks = changes.iter().find(|c| c.path.starts_with("plan/measures/") && c.path.ends_with("/risks"));
    assert!(risks.is_none(), "unchanged links are not differences");
}

/// How a diff names a tactical plan: by its kind in words (it has no title).
fn tactical_item_name(t: &TacticalPlan) -> String {
    t.kind.title()
}

#[test]
fn diff_reads_in_words_and_shows_no_ids() {
    let a = serde_json::json!({
        "event": {"gold_user_id": "0190aaaa-0000-7000-8000-000000000001", "starts_at": "2027-04-25T08:00:00Z",
                  "expected_attendance": 38000},
        "people": {"0190aaaa-0000-7000-8000-000000000001": "Alex Gold, Metropolitan Police",
                   "0190aaaa-0000-7000-8000-000000000002": "Sam Other, City of London Police"},
        "plan": {"powers": [{"id": "0190bbbb-0000-7000-8000-00000000000a", "title": "Road closure",
                             "reference": "RTRA 1984", "notes": "Closures on the route from six in the morning"}]}
    });
    let mut b = a.clone();
    b["event"]["gold_user_id"] = "0190aaaa-0000-7000-8000-000000000002".into();
    b["event"]["starts_at"] = "2027-04-25T07:30:00Z".into();
    b["event"]["expected_attendance"] = 40000.into();
    b["plan"]["powers"][0]["notes"] = "Closures on the whole route from five in the morning".into();
    let changes = diff(&a, &b);
    let text = format!("{changes:?}");
    let gold = changes.iter().find(|c| c.label == "Event › Strategic commander (Gold)").expect("Gold changed");
    assert_eq!(gold.before.as_deref(), Some("Alex Gold, Metropolitan Police"));
    assert_eq!(gold.after.as_deref(), Some("Sam Other, City of London Police"));
    let starts = changes.iter().find(|c| c.label == "Event › Starts").expect("the start changed");
    assert_eq!(starts.after.as_deref(), Some("25 Apr 2027 08:30 BST"));
    let people = changes.iter().find(|c| c.label == "Event › Expected attendance").unwrap();
    assert_eq!(people.after.as_deref(), Some("40,000"));
    let notes = changes.iter().find(|c| c.label == "Plan › Powers and policy › Road closure › Notes").unwrap();
    let removed: Vec<&str> = notes.words.iter().filter(|w| w.change == "removed").map(|w| w.text.as_str()).collect();
    let added: Vec<&str> = notes.words.iter().filter(|w| w.change == "added").map(|w| w.text.as_str()).collect();
    assert!(
        removed.contains(&"six") && added.contains(&"five") && added.iter().any(|w| w.contains("whole")),
        "{notes:?}"
    );
    for c in &changes {
        for shown in [Some(&c.label), c.before.as_ref(), c.after.as_ref()].into_iter().flatten() {
            assert!(!shown.contains("0190"), "an id is shown: {shown} in {text}");
        }
    }
}

#[test]
fn copying_marks_assessments_for_review() {
    let cat = catalogue();
    let copy = copy_for_new_event(&ready_plan(&cat));
    assert!(copy.recon_visits.is_empty() && copy.tasking.is_none());
    let r = rules(&copy, &cat);
    assert!(r.contains(&"copied_for_review"), "{r:?}");
    assert!(r.contains(&"tactical_plan_reviewed"));
}

/// The name an enum value is stored and sent as.
fn name_of<T: Serialize>(v: T) -> String {
    serde_json::to_value(v).unwrap().as_str().unwrap().to_string()
}

/// Each list names every value once, with words of its own: forms offer
/// their choices from these lists.
#[test]
fn choice_enums_list_every_value_once_with_words() {
    fn distinct<T: Serialize + Copy>(all: &[T], words: fn(T) -> &'static str) {
        let names: std::collections::BTreeSet<String> = all.iter().map(|v| name_of(*v)).collect();
        let labels: std::collections::BTreeSet<&str> = all.iter().map(|v| words(*v)).collect();
        assert_eq!((names.len(), labels.len()), (all.len(), all.len()));
        assert!(labels.iter().all(|l| !l.is_empty()));
    }
    distinct(&MeasureStatus::ALL, MeasureStatus::words);
    distinct(&DeclineReason::ALL, DeclineReason::words);
    distinct(&Priority::ALL, Priority::words);
    distinct(&RecommendationStatus::ALL, RecommendationStatus::words);
    distinct(&TacticalPlanKind::ALL, TacticalPlanKind::words);
    let kinds: std::collections::BTreeSet<&str> = MeetingKind::ALL.iter().map(|k| k.words()).collect();
    assert_eq!(kinds.len(), MeetingKind::ALL.len());
    assert_eq!(tactical_words(TacticalPlanKind::Search), "search (POLSA)");
}

/// A meeting's kind is stored as the snake_case name the free text held, and
/// reads back to the same bytes; a name that is not a kind is kept as it was
/// recorded (and refused when the meeting is saved again, by `check_item`).
#[test]
fn meeting_kinds_keep_their_stored_names() {
    let names: Vec<String> = MeetingKind::ALL.iter().map(name_of).collect();
    assert_eq!(names, ["tactical_planning_group", "strategic_coordinating_group", "safety_advisory_group", "other"]);
    for k in MeetingKind::ALL {
        assert_eq!(k.as_str(), name_of(&k));
        assert_eq!(MeetingKind::from(k.as_str()), k);
    }
    assert_eq!(MeetingKind::ALL[0].words(), "Tactical planning group");
    let stored = r#"{"section":"meeting","id":"mt-1","kind":"safety_advisory_group","date":"2027-03-04","attendees":"SAG","minutes":"Agreed","actions":[]}"#;
    let item: PlanItem = serde_json::from_str(stored).unwrap();
    assert!(matches!(&item, PlanItem::Meeting(m) if m.kind == MeetingKind::SafetyAdvisoryGroup));
    assert_eq!(serde_json::to_string(&item).unwrap(), stored);
    let unknown = stored.replace("safety_advisory_group", "coffee_morning");
    let item: PlanItem = serde_json::from_str(&unknown).unwrap();
    assert_eq!(serde_json::to_string(&item).unwrap(), unknown, "free text from before the list is kept");
}

proptest! {
    /// Issuing serialises the plan canonically; reading it back and
    /// serialising again gives the same bytes and so the same hash.
    #[test]
    fn canonical_json_round_trips(titles in proptest::collection::vec(".{0,30}", 0..8), order in any::<bool>()) {
        let cat = catalogue();
        let mut p = ready_plan(&cat);
        for (i, t) in titles.iter().enumerate() {
            p.powers.push(Power { id: format!("p{i}"), title: t.clone(), reference: "r".into(), notes: String::new() });
        }
        if order { p.powers.reverse(); }
        let text = canonical_json(&serde_json::to_value(&p).unwrap());
        let back: Plan = serde_json::from_str(&text).unwrap();
        let again = canonical_json(&serde_json::to_value(&back).unwrap());
        prop_assert_eq!(&text, &again);
        prop_assert_eq!(sha256_hex(&text), sha256_hex(&again));
        let reparsed: Value = serde_json::from_str(&text).unwrap();
        prop_assert_eq!(canonical_json(&reparsed), text);
    }
}

#[test]
fn a_meeting_kind_recorded_as_free_text_reads_back_byte_for_byte_but_cannot_be_saved_again() {
    let stored = r#"{"section":"meeting","id":"m1","kind":"Gold group","date":"2026-01-10","attendees":"","minutes":"","actions":[]}"#;
    let item: PlanItem = serde_json::from_str(stored).unwrap();
    let PlanItem::Meeting(m) = &item else { panic!("a meeting") };
    assert_eq!(m.kind, MeetingKind::Recorded("Gold group".into()));
    assert_eq!(m.kind.words(), "Gold group");
    assert_eq!(serde_json::to_string(&item).unwrap(), stored, "written out as it was stored");
    let cat = catalogue();
    let (matrix, plan) = (default_risk_matrix().unwrap(), Plan::default());
    let err = check_item(&item, &Context { matrix: &matrix, catalogue: &cat, plan: &plan }).unwrap_err();
    assert_eq!(err.field, "kind");
    // Listed kinds round-trip by name.
    let k: MeetingKind = serde_json::from_str("\"safety_advisory_group\"").unwrap();
    assert_eq!(k, MeetingKind::SafetyAdvisoryGroup);
    assert_eq!(serde_json::to_string(&k).unwrap(), "\"safety_advisory_group\"");
    assert!(!MeetingKind::from("Gold group").is_listed());
}

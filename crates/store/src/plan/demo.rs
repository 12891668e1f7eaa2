//! The plan of the demonstration data: a full draft for the marathon, issued
//! as version 1, endorsed by Gold, then changed again so there is a later draft.

use crate::events::EventFilter;
use crate::{Store, StoreError};
use cordon_domain::identity::EmailAddress;
use cordon_domain::Marking;

/// Writes the marathon's plan.
pub(crate) async fn seed(store: &Store) -> Result<(), StoreError> {
    let secco = store
        .identity()
        .user_by_email("secco@northshire.police.example")
        .await?
        .ok_or_else(|| StoreError::Integrity("demo coordinator".into()))?;
    let viewer = store.identity().viewer(&secco).await?;
    let name = crate::events::demo::marathon_name(store.today().year() + 1);
    let filter = EventFilter { q: Some(name.clone()), limit: 1, ..Default::default() };
    let (found, _) = store.events().events_visible(&viewer, &filter).await?;
    let marathon =
        found.into_iter().find(|e| e.name == name).ok_or_else(|| StoreError::Integrity("demo marathon".into()))?;
    plan(store, &secco, &marathon.id).await?;
    parade(store, &viewer).await
}

/// The parade (an OFFICIAL event) starts its plan with one item marked above
/// it: staff of the force read the plan without it and are told so.
async fn parade(store: &Store, viewer: &cordon_domain::access::Viewer) -> Result<(), StoreError> {
    use cordon_domain::plan::*;
    // The same year as the events' demo (next year's).
    let year = store.today().year() + 1;
    let name = format!("Remembrance Sunday parade {year}");
    let filter = EventFilter { q: Some(name.clone()), limit: 1, ..Default::default() };
    let (found, _) = store.events().events_visible(viewer, &filter).await?;
    let parade =
        found.into_iter().find(|e| e.name == name).ok_or_else(|| StoreError::Integrity("demo parade".into()))?;
    store
        .plan()
        .save_plan_item(
            viewer,
            &parade.id,
            PlanItem::Stakeholder(Stakeholder {
                id: "sh-legion".into(),
                name: "Royal British Legion, Northshire branch".into(),
                organisation: "Royal British Legion".into(),
                role: "Organiser of the parade and the wreath-laying".into(),
            }),
        )
        .await?;
    store
        .plan()
        .save_plan_item_expecting(
            viewer,
            &parade.id,
            PlanItem::Vulnerability(Vulnerability {
                id: "vu-wreath".into(),
                location: "War Memorial, wreath-laying area".into(),
                description:
                    "No stand-off from Market Street: a vehicle could reach the wreath-laying party unchecked.".into(),
                methodologies: vec!["vehicle_as_a_weapon".into()],
                severity: 4,
            }),
            Some(Marking::OfficialSensitive),
            None,
        )
        .await?;
    Ok(())
}

async fn plan(
    store: &Store,
    secco: &crate::identity::User,
    event_id: &cordon_domain::ids::EventId,
) -> Result<(), StoreError> {
    use cordon_domain::plan::*;
    let v = store.identity().viewer(secco).await?;
    store
        .plan()
        .set_commanders(
            &v,
            event_id,
            Some(&EmailAddress::parse("gold@northshire.police.example").map_err(StoreError::Integrity)?),
            Some(&EmailAddress::parse("polsa@northshire.police.example").map_err(StoreError::Integrity)?),
        )
        .await?;
    let v = store.identity().viewer(secco).await?;
    let year = store.today().year() + 1;
    let d = |m: u8, day: u8| format!("{year}-{m:02}-{day:02}");
    let gold_id = store
        .identity()
        .user_by_email("gold@northshire.police.example")
        .await?
        .ok_or_else(|| StoreError::Integrity("demo Gold".into()))?
        .id;
    // An action of Gold's that is already overdue, and one of the coordinator's that is not.
    let fortnight_ago = (store.today() - time::Duration::days(14)).to_string();
    let mut items = vec![
            PlanItem::Tasking(Tasking {
                commissioned_by: "Ch Supt Alex Morgan (Gold)".into(),
                commissioned_on: d(1, 12),
                terms_of_reference: "Produce the CT protective security plan for the City Marathon, integrating the search, traffic and public order plans, with recommendations proportionate to the assessed threat.".into(),
            }),
            PlanItem::Intent(Intent {
                intent: "Deliver a safe and secure marathon that runners and spectators can enjoy, deterring, detecting and delaying any terrorist attack and responding effectively if one occurs.".into(),
                objectives: vec![
                    "Protect runners, spectators and staff from terrorist attack".into(),
                    "Keep the start and finish at Civic Square free of hostile vehicles".into(),
                    "Maintain public confidence and an effective multi-agency response".into(),
                ],
            }),
            PlanItem::ThreatAssessment(ThreatAssessment {
                id: "ta-ctp".into(),
                source: "CTP North intelligence assessment".into(),
                date: crate::format_time(store.now()).chars().take(10).collect(),
                summary: "No specific intelligence of a threat to the event. Crowded open-air events remain attractive targets; low-sophistication vehicle and bladed attacks are the most likely methodologies.".into(),
                marking: Marking::OfficialSensitive,
                national_threat_level: None,
                needs_review: false,
            }),
            PlanItem::OperationalFactor(OperationalFactor {
                id: "of-football".into(),
                description: "Northshire FC home fixture the same afternoon (kick-off 15:00), 2 miles from the finish.".into(),
            }),
            PlanItem::ReconVisit(ReconVisit {
                id: "rv-1".into(),
                date: d(2, 20),
                attendees: "SecCo Insp Patel, POLSA PS Evans, venue safety officer".into(),
                areas: "Civic Square start and finish, Market Street approach, Riverside Walk".into(),
                findings: "Market Street gives a straight 300 m vehicle approach into the finish crowd. Bins along Riverside Walk. No CCTV on miles 10 to 12.".into(),
                attachments: vec![],
                needs_review: false,
            }),
            PlanItem::Vulnerability(Vulnerability {
                id: "vu-market".into(),
                location: "Market Street approach to Civic Square".into(),
                description: "Straight 300 m run-up for a vehicle into the finish-line crowd.".into(),
                methodologies: vec!["vehicle_as_a_weapon".into(), "vehicle_borne_ied".into()],
                severity: 5,
            }),
            PlanItem::Vulnerability(Vulnerability {
                id: "vu-bins".into(),
                location: "Riverside Walk".into(),
                description: "Litter bins along the spectator route.".into(),
                methodologies: vec!["placed_ied".into()],
                severity: 3,
            }),
            PlanItem::Power(Power {
                id: "pw-rtra".into(),
                title: "Temporary road closure order".into(),
                reference: "Road Traffic Regulation Act 1984, s.14".into(),
                notes: "Council order for the course, 06:00 to 17:00.".into(),
            }),
            PlanItem::TacticalPlan(TacticalPlan {
                id: "tp-search".into(),
                kind: TacticalPlanKind::Search,
                owner: "PS Riley Evans (POLSA)".into(),
                version: "1.2".into(),
                received_on: d(3, 1),
                reviewed_by: "Insp Sam Patel".into(),
                notes: "Search of start and finish areas from 05:00.".into(),
            }),
            PlanItem::TacticalPlan(TacticalPlan {
                id: "tp-traffic".into(),
                kind: TacticalPlanKind::Traffic,
                owner: "Roads Policing Unit".into(),
                version: "2.0".into(),
                received_on: d(3, 3),
                reviewed_by: "Insp Sam Patel".into(),
                notes: String::new(),
            }),
            PlanItem::Stakeholder(Stakeholder {
                id: "sh-council".into(),
                name: "Events team".into(),
                organisation: "Northshire City Council".into(),
                role: "Road closures and stewarding contract".into(),
            }),
            PlanItem::Liaison(Liaison {
                id: "li-1".into(),
                date: d(2, 27),
                with: "Northshire Fire and Rescue".into(),
                summary: "Rendezvous points and access for appliances through the closures.".into(),
                agreed: "RVP at Station Road; emergency gaps in barrier lines every 200 m.".into(),
                actions: "SecCo to share barrier layout by 10 March.".into(),
                assigned: Vec::new(),
            }),
            PlanItem::Meeting(Meeting {
                id: "mt-1".into(),
                kind: "tactical_planning_group".into(),
                date: d(3, 4),
                attendees: "Silver, SecCo, POLSA, Roads Policing, Council, Fire, Ambulance".into(),
                minutes: "Plans integrated; HVM options discussed.".into(),
                actions: vec![
                    MeetingAction {
                        text: "Confirm availability of impact-tested barriers".into(),
                        owner: "Council events team".into(),
                        due: d(3, 18),
                        status: "open".into(),
                        owner_user_id: None,
                    },
                    MeetingAction {
                        text: "Sign off the temporary traffic regulation order for the course".into(),
                        owner: "Ch Supt Alex Morgan (Gold)".into(),
                        due: fortnight_ago,
                        status: "open".into(),
                        owner_user_id: Some(gold_id.clone()),
                    },
                    MeetingAction {
                        text: "Share the barrier layout with Fire and Ambulance".into(),
                        owner: "Insp Sam Patel (SecCo)".into(),
                        due: d(3, 10),
                        status: "open".into(),
                        owner_user_id: Some(secco.id.clone()),
                    },
                ],
            }),
        ];
    let catalogue = store.reference().attack_methodologies().await?;
    for m in &catalogue {
        let (applicable, l, i, rl, ri, reason) = match m.id.as_str() {
            "vehicle_as_a_weapon" => (true, 4, 5, Some(2), Some(5), ""),
            "marauding_terrorist_attack" => (true, 3, 5, None, None, ""),
            "placed_ied" => (true, 2, 4, None, None, ""),
            "drone" => {
                (false, 0, 0, None, None, "Civil Aviation Authority flight restriction zone in force over the course")
            }
            "cyber_physical" => (false, 0, 0, None, None, "No networked security systems are used on the course"),
            _ => (true, 2, 3, None, None, ""),
        };
        items.push(PlanItem::RiskAssessment(RiskAssessment {
            methodology: m.id.clone(),
            applicable,
            not_applicable_reason: reason.into(),
            likelihood: applicable.then_some(l),
            impact: applicable.then_some(i),
            residual_likelihood: rl,
            residual_impact: ri,
            no_measure_rationale: if m.id == "marauding_terrorist_attack" {
                "Armed response vehicles on standby under the firearms plan; no further measure is proportionate".into()
            } else {
                String::new()
            },
            needs_review: false,
        }));
    }
    items.extend([
            PlanItem::Measure(Measure {
                id: "ms-hvm".into(),
                title: "Impact-tested vehicle security barriers across Market Street (IWA 14-1)".into(),
                from_library: true,
                risks: vec!["vehicle_as_a_weapon".into()],
                vulnerabilities: vec!["vu-market".into()],
                tactical_plan: Some("tp-traffic".into()),
                status: MeasureStatus::Accepted,
                decline_reason: None,
                rationale: "Closes the vehicle approach identified at recce".into(),
            }),
            PlanItem::Measure(Measure {
                id: "ms-bins".into(),
                title: "Remove or seal bins on Riverside Walk; search from 05:00".into(),
                from_library: true,
                risks: vec!["placed_ied".into()],
                vulnerabilities: vec!["vu-bins".into()],
                tactical_plan: Some("tp-search".into()),
                status: MeasureStatus::Accepted,
                decline_reason: None,
                rationale: String::new(),
            }),
            PlanItem::Measure(Measure {
                id: "ms-cctv".into(),
                title: "Temporary CCTV on miles 10 to 12".into(),
                from_library: false,
                risks: vec!["hostile_reconnaissance".into()],
                vulnerabilities: vec![],
                tactical_plan: None,
                status: MeasureStatus::Declined,
                decline_reason: Some(DeclineReason::Resources),
                rationale: "No mobile CCTV units are available that weekend".into(),
            }),
            PlanItem::Contingency(Contingency {
                id: "ct-vaw".into(),
                risks: vec!["vehicle_as_a_weapon".into(), "marauding_terrorist_attack".into()],
                trigger: "Hostile vehicle or marauding attack at or near the course".into(),
                actions: "Stop the race; Run, Hide, Tell messaging on the PA; invacuate to the Civic Hall; JESIP joint decision model with Fire and Ambulance at the RVP.".into(),
                owner: "Silver".into(),
            }),
            PlanItem::Recommendation(Recommendation {
                id: "rc-hvm".into(),
                text: "Install impact-tested barriers across Market Street and at every finish-area entry".into(),
                priority: Priority::High,
                risks: vec!["vehicle_as_a_weapon".into()],
                proportionality_rationale: "A crowd of 85,000 with an open 300 m vehicle approach; VAW is the most likely methodology".into(),
                status: RecommendationStatus::Accepted,
            }),
            PlanItem::Recommendation(Recommendation {
                id: "rc-cctv".into(),
                text: "Temporary CCTV coverage of miles 10 to 12".into(),
                priority: Priority::Medium,
                risks: vec!["hostile_reconnaissance".into()],
                proportionality_rationale: "The only stretch of the course without CCTV".into(),
                status: RecommendationStatus::DeclinedResources,
            }),
        ]);
    for item in items {
        store.plan().save_plan_item(&v, event_id, item).await?;
    }
    store.plan().issue_plan(secco, &v, event_id, "First issue to the strategic commander for endorsement").await?;
    let gold = store
        .identity()
        .user_by_email("gold@northshire.police.example")
        .await?
        .ok_or_else(|| StoreError::Integrity("demo Gold".into()))?;
    let gv = store.identity().viewer(&gold).await?;
    store.plan().endorse_plan(&gold, &gv, event_id, 1, "Review if the national threat level is raised").await?;
    // A later draft: a new assessment after the threat level changed.
    store
        .plan()
        .save_plan_item(
            &v,
            event_id,
            PlanItem::OperationalFactor(OperationalFactor {
                id: "of-parade".into(),
                description: "A protest march has been notified for the same morning in the city centre.".into(),
            }),
        )
        .await?;
    Ok(())
}

//! Demonstration SECO data: Northshire's CTSU is Counter Terrorism Policing
//! North, whose roster holds four qualified coordinators (one an Inspector,
//! one with an annual review overdue) and one in training; a request for the
//! marathon, discussed and appointed; a declined request for the Remembrance
//! parade with its reasons; and a vacancy with two candidates.

use crate::seco::{DiscussionInput, RequestInput};
use crate::sql::Val;
use crate::{Store, StoreError};
use cordon_domain::identity::EmailAddress;
use cordon_domain::ids::{DeploymentRequestId, EventId, VacancyId};
use cordon_domain::seco::{Candidate, Criteria, Criterion, SecoInput, Vacancy};

fn user_err(what: &str) -> StoreError {
    StoreError::Integrity(format!("demo {what}"))
}

pub(crate) async fn seed(store: &Store) -> Result<(), StoreError> {
    let id = store.identity();
    let admin = id.user_by_email("admin@northshire.police.example").await?.ok_or_else(|| user_err("administrator"))?;
    let ctsu =
        id.user_by_email("ctsu@ctp-north.police.example").await?.ok_or_else(|| user_err("deployment authority"))?;
    let gold = id.user_by_email("gold@northshire.police.example").await?.ok_or_else(|| user_err("Gold"))?;
    let secco = id.user_by_email("secco@northshire.police.example").await?.ok_or_else(|| user_err("coordinator"))?;
    store.seco().configure_ctsu(&id.viewer(&admin).await?, &ctsu.organisation_id).await?;

    let today = store.today();
    let ago = |days: i64| (today - time::Duration::days(days)).to_string();
    let da = id.viewer(&ctsu).await?;
    let s = store.seco();
    let person =
        |name: &str, rank: &str, passed: Option<String>, roles: &[&str], exp: &[&str], unit: &str, status: &str| {
            SecoInput {
                name: name.into(),
                user_email: None,
                rank: rank.into(),
                course_passed_on: passed,
                prior_roles: roles.iter().map(|r| r.to_string()).collect(),
                experience: exp.iter().map(|r| r.to_string()).collect(),
                home_unit: unit.into(),
                status: status.into(),
            }
        };
    let whitfield = s
        .add(
            &da,
            person(
                "Dana Whitfield",
                "superintendent",
                Some(ago(900)),
                &["polsc"],
                &["Silver, New Year's Eve celebrations", "Event planning lead, city centre parades"],
                "CTSU",
                "qualified",
            ),
        )
        .await?;
    let lee = s
        .add(
            &da,
            person(
                "Morgan Lee",
                "chief_inspector",
                Some(ago(500)),
                &["polsa"],
                &["Bronze search, party conferences"],
                "London North area",
                "qualified",
            ),
        )
        .await?;
    let shah = s
        .add(
            &da,
            person(
                "Priya Shah",
                "chief_inspector",
                Some(ago(300)),
                &[],
                &["Event planning, football policing unit", "Silver, premier league fixtures"],
                "London South area",
                "qualified",
            ),
        )
        .await?;
    let mut patel = person(
        "Sam Patel",
        "inspector",
        Some(ago(200)),
        &["polsa"],
        &["Planning, Northshire marathon"],
        "CTSU",
        "qualified",
    );
    patel.user_email = Some(secco.email.clone());
    let patel = s.add(&da, patel).await?;
    s.add(
        &da,
        person(
            "Alex Okafor",
            "chief_inspector",
            None,
            &["polsc"],
            &["Silver, carnival"],
            "London West area",
            "in_training",
        ),
    )
    .await?;
    // Monitoring: annual reviews for three; Lee's is overdue (none since qualifying).
    for (who, days) in [(&whitfield, 120), (&shah, 30)] {
        s.add_note(
            &da,
            &who.seco.id,
            "annual_review",
            &ago(days),
            None,
            "Competent; planning and liaison strong. No concerns.",
        )
        .await?;
    }
    s.add_note(
        &da,
        &lee.seco.id,
        "assessment",
        &ago(40),
        None,
        "Led the search strategy for the party conference well.",
    )
    .await?;
    s.add_note(
        &da,
        &patel.seco.id,
        "assessment",
        &ago(20),
        None,
        "Ready for a larger event with a Chief Inspector as mentor.",
    )
    .await?;
    for who in [&whitfield, &lee, &shah, &patel] {
        s.tick(&ctsu, &da, &who.seco.id, "tas").await?;
        s.tick(&ctsu, &da, &who.seco.id, "command_and_control").await?;
    }
    let year = today.year() + 1;
    s.add_note(&da, &shah.seco.id, "leave", &format!("{year}-04-20"), Some(&format!("{year}-04-30")), "Annual leave")
        .await?;

    // The marathon: requested, discussed, appointed.
    let event_id = |name: String| async move {
        let row = store.fetch_one("SELECT id FROM planned_events WHERE name = $1", &[Val::from(name)]).await?;
        row.ok_or_else(|| user_err("event"))?.id::<EventId>(0)
    };
    let marathon = event_id(crate::events::demo::marathon_name(year)).await?;
    let criterion = |met: bool, why: &str| Criterion { met, rationale: why.into() };
    let rid = requested_and_discussed(
        store,
        &secco,
        &da,
        RequestInput {
            event_id: marathon.to_string(),
            reason: "85,000 runners and spectators over a 26-mile course through the city centre, with search, \
                     traffic and public order plans to bring together."
                .into(),
            criteria: Criteria {
                scale_and_complexity: criterion(
                    true,
                    "85,000 people, two venues and a 26-mile route closed to traffic.",
                ),
                multi_agency_threat: criterion(
                    true,
                    "Vehicle-as-a-weapon threat along the route needs fire, ambulance and the council's hostile \
                     vehicle measures.",
                ),
                protocol_or_national_interest: criterion(false, "No protected persons are expected."),
            },
            override_reason: None,
            gold_force: None,
        },
        DiscussionInput {
            held_on: ago(3),
            notes: "Discussed with Ch Supt Morgan by telephone. Scale and the hostile vehicle threat warrant a SECO; \
                    Supt Whitfield is free on the day and planned last year's New Year's Eve."
                .into(),
            recommendation: "appoint".into(),
            proposed_seco_id: Some(whitfield.seco.id.to_string()),
        },
    )
    .await?;
    s.appoint(&id.viewer(&gold).await?, &rid, &whitfield.seco.id, None).await?;

    // The Remembrance parade: small, requested, discussed, declined.
    let parade = event_id(format!("Remembrance Sunday parade {year}")).await?;
    let gold_email = EmailAddress::parse(&gold.email).map_err(StoreError::Integrity)?;
    store.plan().set_commanders(&id.viewer(&secco).await?, &parade, Some(&gold_email), None).await?;
    let rid = requested_and_discussed(
        store,
        &secco,
        &da,
        RequestInput {
            event_id: parade.to_string(),
            reason: "The parade passes the war memorial on Market Street; the organisers asked for a coordinator."
                .into(),
            criteria: Criteria {
                scale_and_complexity: criterion(false, "About 6,000 people for three hours on one street."),
                multi_agency_threat: criterion(false, "No specific threat; the national level applies."),
                protocol_or_national_interest: criterion(
                    false,
                    "The Lord-Lieutenant attends; no royal or ministerial visit.",
                ),
            },
            override_reason: Some("The organisers asked; Gold wants the deployment authority's view.".into()),
            gold_force: None,
        },
        DiscussionInput {
            held_on: ago(10),
            notes: "None of the three criteria is met. The local search and public order plans suffice, with \
                    security advice from the CTSA."
                .into(),
            recommendation: "do_not_appoint".into(),
            proposed_seco_id: None,
        },
    )
    .await?;
    s.decline(
        &id.viewer(&gold).await?,
        &rid,
        "No criterion is met: a small event with no specific threat and no protocol considerations. The CTSA gives \
         security advice instead.",
    )
    .await?;

    // A vacancy with two candidates.
    let c = |name: &str, rank: &str, role: &str, prev: &str, search: &str, planning: &str, notes: &str| Candidate {
        name: name.into(),
        rank: rank.into(),
        current_role: role.into(),
        previous_experience: prev.into(),
        search_roles: search.into(),
        event_planning_and_command: planning.into(),
        notes: notes.into(),
    };
    s.save_vacancy(
        &da,
        Vacancy {
            id: VacancyId::generate(),
            organisation_id: ctsu.organisation_id.clone(),
            title: "SECO, London East area".into(),
            opened_on: ago(25),
            candidates: vec![
                c(
                    "Jo Marsh",
                    "chief_inspector",
                    "Operations, London East",
                    "Ten years in operations planning",
                    "PolSC for three years",
                    "Silver for the marathon; planned two state visits",
                    "Strong; available for the May course.",
                ),
                c(
                    "Lee Brennan",
                    "inspector",
                    "Response inspector, London East",
                    "Public order commander",
                    "None",
                    "Bronze public order at football",
                    "Would be appointed only in extremis as an Inspector.",
                ),
            ],
            selected: None,
            rationale: String::new(),
            course_cost_pence: Some(185_000),
        },
    )
    .await?;
    Ok(())
}

/// A request made by the coordinator and discussed by the deployment authority.
async fn requested_and_discussed(
    store: &Store,
    secco: &crate::identity::User,
    da: &cordon_domain::access::Viewer,
    request: RequestInput,
    discussion: DiscussionInput,
) -> Result<DeploymentRequestId, StoreError> {
    let v = store.identity().viewer(secco).await?;
    let id = store.seco().submit(secco, &v, request).await?.request.id;
    store.seco().discuss(da, &id, discussion).await?;
    Ok(id)
}

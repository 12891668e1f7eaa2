//! The demonstration data set created by `cordon demo`. Idempotent: it is
//! created once per database, marked by a `demo_seeded` journal event.

pub mod project;

use crate::journal::Actor;
use crate::{Store, StoreError};
use cordon_domain::demo::DemoEvent;
use cordon_domain::event::Event;
use cordon_domain::Marking;

pub use crate::identity::demo::{DemoCredentials, DEMO_PASSWORD, DEMO_USERS};

/// The demo capability's operations, reached as `store.demo()`.
#[derive(Clone, Copy)]
pub struct DemoStore<'a> {
    pub(crate) store: &'a Store,
}

impl Store {
    pub fn demo(&self) -> DemoStore<'_> {
        DemoStore { store: self }
    }
}

impl DemoStore<'_> {
    /// Who to sign in as in a demo database.
    pub async fn demo_credentials(&self) -> Result<DemoCredentials, StoreError> {
        crate::identity::demo::credentials(self.store).await
    }

    /// Whether the demo data set has been created in this database.
    pub async fn demo_seeded(&self) -> Result<bool, StoreError> {
        Ok(self.store.fetch_one("SELECT id FROM demo_seed WHERE id = 1", &[]).await?.is_some())
    }

    /// Creates the demo data set unless it exists. Returns whether it was created now.
    pub async fn seed_demo(&self) -> Result<bool, StoreError> {
        self.store.reference().load_reference().await?;
        if self.demo_seeded().await? {
            return Ok(false);
        }
        // Each capability's part of the demo, in order: one line each.
        crate::identity::demo::seed(self.store).await?;
        crate::events::demo::seed(self.store).await?;
        crate::plan::demo::seed(self.store).await?;
        crate::advice::demo::seed(self.store).await?;
        crate::seco::demo::seed(self.store).await?;
        crate::policy::demo::seed(self.store).await?;
        crate::places::demo::seed(self.store).await?;
        crate::estate::demo::seed(self.store).await?;
        let system = Actor::system();
        let events = vec![(
            Event::Demo(DemoEvent::DemoSeeded { note: "Demonstration data: not for operational use".into() }),
            Marking::Official,
        )];
        match self.store.append(&system, &events).await {
            Ok(_) => Ok(true),
            Err(StoreError::Conflict(_)) => Ok(false),
            Err(e) => Err(e),
        }
    }
}

//! The demonstration data set created by `cordon demo`. Idempotent: it is
//! created once per database, marked by a `demo_seeded` journal event.

use crate::journal::Actor;
use crate::{Store, StoreError};
use cordon_domain::event::Event;
use cordon_domain::Marking;

impl Store {
    /// Whether the demo data set has been created in this database.
    pub async fn demo_seeded(&self) -> Result<bool, StoreError> {
        Ok(self.fetch_one("SELECT id FROM demo_seed WHERE id = 1", &[]).await?.is_some())
    }

    /// Creates the demo data set unless it exists. Returns whether it was created now.
    pub async fn seed_demo(&self) -> Result<bool, StoreError> {
        self.load_reference().await?;
        if self.demo_seeded().await? {
            return Ok(false);
        }
        let events =
            vec![(Event::DemoSeeded { note: "Demonstration data: not for operational use".into() }, Marking::Official)];
        match self.append(&Actor::system(), &events).await {
            Ok(_) => Ok(true),
            Err(StoreError::Conflict(_)) => Ok(false),
            Err(e) => Err(e),
        }
    }
}

//! Auto-assignment (the `auto_assign` setting, off by default): conversations nobody holds go
//! round-robin to online agents, skipping anyone at `max_open_chats`. It runs when a chat
//! starts and on a short sweep, so a conversation that found nobody is assigned once an agent
//! comes online or frees a slot. Assignments are conditional in the store, so several nodes
//! sweeping at once never assign one conversation twice.
#[cfg(feature = "ssr")]
pub mod ssr {
    use crate::clock::now_ms;
    use crate::error::{internal, AppResult};
    use crate::model::TeamMember;
    use crate::state::AppState;
    use crate::store::Assign;
    use std::collections::HashMap;
    use std::sync::{LazyLock, Mutex};
    use std::time::{Duration, Instant};

    /// How often waiting conversations are looked at again.
    const SWEEP_EVERY: Duration = Duration::from_secs(3);
    /// Most conversations one pass assigns.
    const PASS_LIMIT: u32 = 100;

    /// When each agent last got a conversation here: ties go to whoever waited longest.
    static LAST_GIVEN: LazyLock<Mutex<HashMap<String, Instant>>> = LazyLock::new(Mutex::default);

    /// The next agent in turn: online, active, under the limit; fewest open chats first, then
    /// the one who got a conversation longest ago.
    fn next_in_turn<'a>(
        candidates: &'a [TeamMember],
        limit: i64,
        last_given: &HashMap<String, Instant>,
    ) -> Option<&'a TeamMember> {
        candidates
            .iter()
            .filter(|member| member.open_chats < limit)
            .min_by_key(|member| {
                (
                    member.open_chats,
                    last_given.get(&member.agent.id).copied(),
                    member.agent.id.clone(),
                )
            })
    }

    /// Assigns what waits to whoever is in turn; returns how many were assigned.
    pub async fn assign_waiting(state: &AppState) -> AppResult<usize> {
        if !state.settings.auto_assign {
            return Ok(0);
        }
        let online: Vec<String> = state
            .presence
            .agents()
            .into_iter()
            .filter(|agent| !agent.away)
            .map(|agent| agent.id)
            .collect();
        if online.is_empty() {
            return Ok(0);
        }
        let conversations = &state.stores.conversations;
        let waiting = conversations
            .unassigned_open(PASS_LIMIT)
            .await
            .map_err(internal)?;
        if waiting.is_empty() {
            return Ok(0);
        }
        let mut candidates: Vec<TeamMember> = state
            .stores
            .accounts
            .team()
            .await
            .map_err(internal)?
            .into_iter()
            .filter(|member| member.active && online.contains(&member.agent.id))
            .collect();
        let mut assigned = 0;
        // Each inbox's members, read once per pass: a conversation goes to someone who works
        // its inbox.
        let mut members: HashMap<String, Vec<String>> = HashMap::new();
        for (conversation_id, inbox_id) in waiting {
            if !members.contains_key(&inbox_id) {
                let ids = state
                    .stores
                    .inboxes
                    .members(&inbox_id)
                    .await
                    .map_err(internal)?;
                members.insert(inbox_id.clone(), ids);
            }
            let works_here = &members[&inbox_id];
            let eligible: Vec<TeamMember> = candidates
                .iter()
                .filter(|member| works_here.contains(&member.agent.id))
                .cloned()
                .collect();
            let chosen = {
                let last_given = LAST_GIVEN.lock().expect("routing lock");
                next_in_turn(&eligible, state.settings.max_open_chats, &last_given)
                    .map(|member| member.agent.clone())
            };
            let Some(agent) = chosen else { continue };
            let appended = conversations
                .assign(Assign {
                    conversation_id,
                    assignee: Some(agent.clone()),
                    actor: agent.clone(),
                    only_if_unassigned: true,
                    now: now_ms(),
                })
                .await
                .map_err(internal)?;
            if appended.events.is_empty() {
                continue;
            }
            state.hub.publish_appended(&appended);
            LAST_GIVEN
                .lock()
                .expect("routing lock")
                .insert(agent.id.clone(), Instant::now());
            if let Some(member) = candidates.iter_mut().find(|m| m.agent.id == agent.id) {
                member.open_chats += 1;
            }
            assigned += 1;
        }
        Ok(assigned)
    }

    /// Sweeps every few seconds until the node stops (only when auto-assignment is on).
    pub fn spawn(state: AppState) {
        if !state.settings.auto_assign {
            return;
        }
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(SWEEP_EVERY);
            let mut stopping = state.stopping.clone();
            loop {
                tokio::select! {
                    _ = tick.tick() => {
                        if let Err(error) = assign_waiting(&state).await {
                            tracing::warn!(?error, "auto-assignment pass failed");
                        }
                    }
                    // The guard `wait_for` returns must not live across an await.
                    _ = async { let _ = stopping.wait_for(|stop| *stop).await; } => return,
                }
            }
        });
    }
}

//! The allocation of adviser visits: a multiple knapsack problem with
//! assignment restrictions. Each place `i` has a score `s_i` and visit hours
//! `h_i`; each adviser `j` has hours `H_j` and a travel distance `R_j`. Choose
//! for each place at most one adviser whose base is within `R_j` (great-circle)
//! so that each adviser's hours stay within `H_j`, maximising the sum of the
//! scores of the places visited.
//!
//! Pure Rust, no C toolchain:
//!
//! - **Upper bound.** Relaxing the hours constraints with multipliers `λ_j ≥ 0`
//!   gives, for any `λ`, the proven bound
//!   `L(λ) = Σ_j λ_j H_j + Σ_i max(0, max_{j eligible for i} (s_i − λ_j h_i))`.
//!   The inner problem has the integrality property, so `min_λ L(λ)` equals the
//!   LP relaxation's optimum. `λ` is improved by exact coordinate minimisation
//!   (each `λ_j` in turn is set where the hours of the places that would choose
//!   `j` first fall to `H_j`); every `λ` tried is a valid bound and the least is kept.
//! - **Solution.** Places in order of score per hour, each given to the eligible
//!   adviser with the lowest multiplier (then the most hours left) that still has
//!   room; then local improvement: a place left out is fitted by moving one
//!   place of a full adviser to another eligible adviser with room, or by
//!   swapping it for places of lower total score.
//!
//! The instance is held as arrays of `f32`/`u32` (struct of arrays) and the
//! eligible advisers of every place in one compressed list, so 650,000 places
//! and 190 advisers take tens of megabytes, not hundreds.

use super::distance_km;

/// The instance: places and advisers as arrays.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Instance {
    pub score: Vec<f32>,
    pub hours: Vec<f32>,
    pub lat: Vec<f32>,
    pub lon: Vec<f32>,
    pub adviser_hours: Vec<f32>,
    pub adviser_km: Vec<f32>,
    pub adviser_lat: Vec<f32>,
    pub adviser_lon: Vec<f32>,
}

impl Instance {
    pub fn places(&self) -> usize {
        self.score.len()
    }

    pub fn advisers(&self) -> usize {
        self.adviser_hours.len()
    }

    pub fn push_place(&mut self, score: f32, hours: f32, lat: f32, lon: f32) {
        self.score.push(score);
        self.hours.push(hours);
        self.lat.push(lat);
        self.lon.push(lon);
    }

    pub fn push_adviser(&mut self, hours: f32, km: f32, lat: f32, lon: f32) {
        self.adviser_hours.push(hours);
        self.adviser_km.push(km);
        self.adviser_lat.push(lat);
        self.adviser_lon.push(lon);
    }

    /// Whether adviser `j` may visit place `i`.
    pub fn eligible(&self, i: usize, j: usize) -> bool {
        let (la, lo) = (f64::from(self.lat[i]), f64::from(self.lon[i]));
        let (ba, bo) = (f64::from(self.adviser_lat[j]), f64::from(self.adviser_lon[j]));
        let r = f64::from(self.adviser_km[j]);
        // A degree of latitude is at least 110.5 km: a cheap test first.
        if (la - ba).abs() * 110.5 > r {
            return false;
        }
        distance_km(la, lo, ba, bo) <= r
    }

    /// The eligible advisers of every place (compressed rows).
    pub fn eligibility(&self) -> Eligibility {
        let mut start = Vec::with_capacity(self.places() + 1);
        let mut list = Vec::new();
        start.push(0u32);
        // Advisers sorted by latitude, so each place checks only a band.
        let mut by_lat: Vec<u32> = (0..self.advisers() as u32).collect();
        by_lat.sort_by(|a, b| self.adviser_lat[*a as usize].total_cmp(&self.adviser_lat[*b as usize]));
        let max_km = self.adviser_km.iter().copied().fold(0.0f32, f32::max);
        let band = max_km / 110.5 + 0.01;
        let lats: Vec<f32> = by_lat.iter().map(|&j| self.adviser_lat[j as usize]).collect();
        let mut row = Vec::new();
        for i in 0..self.places() {
            let lo = lats.partition_point(|&l| l < self.lat[i] - band);
            let hi = lats.partition_point(|&l| l <= self.lat[i] + band);
            row.clear();
            row.extend(by_lat[lo..hi].iter().copied().filter(|&j| self.eligible(i, j as usize)));
            row.sort_unstable();
            list.extend(row.iter().map(|&j| j as u16));
            start.push(list.len() as u32);
        }
        Eligibility { start, list }
    }
}

/// The eligible advisers of each place: `list[start[i]..start[i + 1]]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Eligibility {
    pub start: Vec<u32>,
    pub list: Vec<u16>,
}

impl Eligibility {
    pub fn of(&self, i: usize) -> &[u16] {
        &self.list[self.start[i] as usize..self.start[i + 1] as usize]
    }
}

/// No adviser for a place.
pub const NONE: u16 = u16::MAX;

/// A solution and its proof of quality.
#[derive(Debug, Clone, PartialEq)]
pub struct Solution {
    /// The adviser of each place, or [`NONE`].
    pub adviser: Vec<u16>,
    pub objective: f64,
    /// A proven upper bound on the optimum.
    pub upper_bound: f64,
    /// The hours each adviser uses.
    pub used: Vec<f64>,
}

impl Solution {
    /// `(upper_bound − objective) / upper_bound`, 0 when both are 0.
    pub fn gap(&self) -> f64 {
        if self.upper_bound <= 0.0 {
            0.0
        } else {
            ((self.upper_bound - self.objective) / self.upper_bound).max(0.0)
        }
    }

    pub fn allocated(&self) -> usize {
        self.adviser.iter().filter(|&&a| a != NONE).count()
    }
}

/// Places in order of score per hour (highest first; ties by index).
pub fn density_order(inst: &Instance) -> Vec<u32> {
    let mut order: Vec<u32> = (0..inst.places() as u32).filter(|&i| inst.score[i as usize] > 0.0).collect();
    order.sort_by(|&a, &b| {
        let da = inst.score[a as usize] / inst.hours[a as usize];
        let db = inst.score[b as usize] / inst.hours[b as usize];
        db.total_cmp(&da).then(a.cmp(&b))
    });
    order
}

/// The Lagrangian bound `L(λ)`.
pub fn lagrangian_bound(inst: &Instance, el: &Eligibility, lambda: &[f64]) -> f64 {
    let mut total: f64 = lambda.iter().zip(&inst.adviser_hours).map(|(l, h)| l * f64::from(*h)).sum();
    for i in 0..inst.places() {
        let best = el.of(i).iter().map(|&j| lambda[j as usize]).fold(f64::INFINITY, f64::min);
        if best.is_finite() {
            total += (f64::from(inst.score[i]) - best * f64::from(inst.hours[i])).max(0.0);
        }
    }
    total
}

/// Improves the multipliers by exact coordinate minimisation, `rounds` times
/// over the advisers; returns the best multipliers and their bound.
pub fn improve_multipliers(inst: &Instance, el: &Eligibility, rounds: usize) -> (Vec<f64>, f64) {
    let m = inst.advisers();
    // Places of each adviser (transpose of the eligibility).
    let mut count = vec![0u32; m + 1];
    for &j in &el.list {
        count[j as usize + 1] += 1;
    }
    for j in 0..m {
        count[j + 1] += count[j];
    }
    let mut fill = count.clone();
    let mut places_of = vec![0u32; el.list.len()];
    for i in 0..inst.places() {
        for &j in el.of(i) {
            places_of[fill[j as usize] as usize] = i as u32;
            fill[j as usize] += 1;
        }
    }
    let mut lambda = vec![0.0f64; m];
    let mut best = (lambda.clone(), lagrangian_bound(inst, el, &lambda));
    let mut thresholds: Vec<(f64, f64)> = Vec::new();
    for _ in 0..rounds {
        for j in 0..m {
            // For each place eligible for j: the multiplier below which it would choose j.
            thresholds.clear();
            for &i in &places_of[count[j] as usize..count[j + 1] as usize] {
                let i = i as usize;
                let other = el
                    .of(i)
                    .iter()
                    .filter(|&&k| k as usize != j)
                    .map(|&k| lambda[k as usize])
                    .fold(f64::INFINITY, f64::min);
                let (s, h) = (f64::from(inst.score[i]), f64::from(inst.hours[i]));
                let rest = if other.is_finite() { (s - other * h).max(0.0) } else { 0.0 };
                let t = (s - rest) / h;
                if t > 0.0 {
                    thresholds.push((t, h));
                }
            }
            thresholds.sort_by(|a, b| b.0.total_cmp(&a.0));
            let cap = f64::from(inst.adviser_hours[j]);
            let mut hours = 0.0;
            let mut value = 0.0;
            for &(t, h) in &thresholds {
                hours += h;
                if hours > cap {
                    value = t;
                    break;
                }
            }
            lambda[j] = value;
        }
        let b = lagrangian_bound(inst, el, &lambda);
        if b < best.1 {
            best = (lambda.clone(), b);
        }
    }
    best
}

/// Lowers the bound further by subgradient steps (Polyak's step towards
/// `target`, a known objective): `g_j = H_j − Σ hours of the places whose best
/// adviser is j`. Every multiplier vector tried is a valid bound; the least is kept.
pub fn subgradient(
    inst: &Instance,
    el: &Eligibility,
    start: (Vec<f64>, f64),
    target: f64,
    iterations: usize,
) -> (Vec<f64>, f64) {
    let m = inst.advisers();
    let (mut lambda, mut current) = (start.0.clone(), start.1);
    let mut best = start;
    let mut theta = 1.0;
    let mut stale = 0;
    let mut load = vec![0.0f64; m];
    for _ in 0..iterations {
        if best.1 - target <= 1e-9 * best.1.abs().max(1.0) {
            break;
        }
        load.iter_mut().for_each(|l| *l = 0.0);
        for i in 0..inst.places() {
            let mut pick: Option<usize> = None;
            for &j in el.of(i) {
                let j = j as usize;
                if pick.is_none_or(|p| lambda[j] < lambda[p]) {
                    pick = Some(j);
                }
            }
            if let Some(j) = pick {
                let h = f64::from(inst.hours[i]);
                if f64::from(inst.score[i]) - lambda[j] * h > 0.0 {
                    load[j] += h;
                }
            }
        }
        let g: Vec<f64> = (0..m).map(|j| f64::from(inst.adviser_hours[j]) - load[j]).collect();
        let norm: f64 = g.iter().enumerate().map(|(j, x)| if lambda[j] <= 0.0 && *x > 0.0 { 0.0 } else { x * x }).sum();
        if norm <= 1e-12 {
            break;
        }
        let step = theta * (current - target).max(0.0) / norm;
        for j in 0..m {
            lambda[j] = (lambda[j] - step * g[j]).max(0.0);
        }
        current = lagrangian_bound(inst, el, &lambda);
        if current < best.1 - 1e-9 {
            best = (lambda.clone(), current);
            stale = 0;
        } else {
            stale += 1;
            if stale >= 5 {
                theta /= 2.0;
                stale = 0;
                lambda = best.0.clone();
                current = best.1;
            }
        }
    }
    best
}

/// Solves the instance: the greedy and local improvement, and the bound.
pub fn solve(inst: &Instance) -> Solution {
    let el = inst.eligibility();
    let sol = solve_with(inst, &el, 4);
    // Small instances are solved exactly (branch and bound from the heuristic's answer).
    let reachable = (0..inst.places()).filter(|&i| !el.of(i).is_empty()).count();
    if reachable <= EXACT_PLACES && sol.gap() > 0.0 {
        if let Some(exact) = solve_exact(inst, &el, &sol, EXACT_NODES) {
            return exact;
        }
    }
    sol
}

/// Subgradient steps taken to lower the bound after the solution is found.
pub const SUBGRADIENT_STEPS: usize = 150;

/// Instances with at most this many places within reach are solved exactly.
pub const EXACT_PLACES: usize = 40;
/// How many branch-and-bound nodes the exact search may visit before giving up.
pub const EXACT_NODES: u64 = 300_000;

/// Branch and bound over the places within reach, in order of score per hour:
/// give each place to one of its advisers with room, or to none. The bound at
/// a node is its value plus the fractional knapsack of the places still to
/// decide into all the hours left. Returns the optimum (with `upper_bound`
/// equal to it), or `None` if the node limit was reached first.
pub fn solve_exact(inst: &Instance, el: &Eligibility, start: &Solution, node_limit: u64) -> Option<Solution> {
    let order: Vec<usize> =
        density_order(inst).into_iter().map(|i| i as usize).filter(|&i| !el.of(i).is_empty()).collect();
    struct Search<'a> {
        inst: &'a Instance,
        el: &'a Eligibility,
        order: Vec<usize>,
        left: Vec<f64>,
        choice: Vec<u16>,
        best: f64,
        best_choice: Vec<u16>,
        nodes: u64,
        limit: u64,
    }
    impl Search<'_> {
        fn bound(&self, k: usize, value: f64) -> f64 {
            let mut room: f64 = self.left.iter().sum();
            let mut b = value;
            for &i in &self.order[k..] {
                let (s, h) = (f64::from(self.inst.score[i]), f64::from(self.inst.hours[i]));
                if room <= 0.0 {
                    break;
                }
                if h <= room {
                    b += s;
                    room -= h;
                } else {
                    b += s * room / h;
                    room = 0.0;
                }
            }
            b
        }
        fn go(&mut self, k: usize, value: f64) -> bool {
            self.nodes += 1;
            if self.nodes > self.limit {
                return false;
            }
            if value > self.best + 1e-9 {
                self.best = value;
                self.best_choice = self.choice.clone();
            }
            if k == self.order.len() || self.bound(k, value) <= self.best + 1e-9 {
                return true;
            }
            let i = self.order[k];
            let h = f64::from(self.inst.hours[i]);
            let s = f64::from(self.inst.score[i]);
            let advisers: Vec<u16> = self.el.of(i).to_vec();
            for j in advisers {
                let ju = j as usize;
                if self.left[ju] + 1e-9 >= h {
                    self.left[ju] -= h;
                    self.choice[i] = j;
                    let ok = self.go(k + 1, value + s);
                    self.left[ju] += h;
                    self.choice[i] = NONE;
                    if !ok {
                        return false;
                    }
                }
            }
            self.go(k + 1, value)
        }
    }
    let mut search = Search {
        inst,
        el,
        order,
        left: inst.adviser_hours.iter().map(|&h| f64::from(h)).collect(),
        choice: vec![NONE; inst.places()],
        best: start.objective,
        best_choice: start.adviser.clone(),
        nodes: 0,
        limit: node_limit,
    };
    if !search.go(0, 0.0) {
        return None;
    }
    let adviser = search.best_choice;
    let mut used = vec![0.0f64; inst.advisers()];
    for (i, &a) in adviser.iter().enumerate() {
        if a != NONE {
            used[a as usize] += f64::from(inst.hours[i]);
        }
    }
    let objective: f64 =
        adviser.iter().enumerate().filter(|(_, &a)| a != NONE).map(|(i, _)| f64::from(inst.score[i])).sum();
    Some(Solution { adviser, objective, upper_bound: objective, used })
}

pub fn solve_with(inst: &Instance, el: &Eligibility, rounds: usize) -> Solution {
    let (lambda, bound) = improve_multipliers(inst, el, rounds);
    let n = inst.places();
    let m = inst.advisers();
    let mut adviser = vec![NONE; n];
    let mut left: Vec<f64> = inst.adviser_hours.iter().map(|&h| f64::from(h)).collect();
    let order = density_order(inst);
    for &i in &order {
        let i = i as usize;
        let h = f64::from(inst.hours[i]);
        let mut pick: Option<usize> = None;
        for &j in el.of(i) {
            let j = j as usize;
            if left[j] + 1e-9 < h {
                continue;
            }
            pick = match pick {
                None => Some(j),
                Some(p) if (lambda[j], -left[j]) < (lambda[p], -left[p]) => Some(j),
                keep => keep,
            };
        }
        if let Some(j) = pick {
            adviser[i] = j as u16;
            left[j] -= h;
        }
    }
    // Local improvement: fit a place left out by moving one visit of an
    // eligible adviser to another adviser with room.
    let mut on: Vec<Vec<u32>> = vec![Vec::new(); m];
    for (i, &a) in adviser.iter().enumerate() {
        if a != NONE {
            on[a as usize].push(i as u32);
        }
    }
    let mut budget: usize = 2_000_000;
    for &i in &order {
        let i = i as usize;
        if adviser[i] != NONE || budget == 0 {
            continue;
        }
        let h = f64::from(inst.hours[i]);
        'advisers: for &j in el.of(i) {
            let j = j as usize;
            let need = h - left[j];
            if need <= 1e-9 {
                adviser[i] = j as u16;
                left[j] -= h;
                on[j].push(i as u32);
                break;
            }
            for pos in 0..on[j].len() {
                budget = budget.saturating_sub(1);
                let k = on[j][pos] as usize;
                let hk = f64::from(inst.hours[k]);
                if hk + 1e-9 < need {
                    continue;
                }
                for &j2 in el.of(k) {
                    let j2 = j2 as usize;
                    if j2 != j && left[j2] + 1e-9 >= hk {
                        adviser[k] = j2 as u16;
                        left[j2] -= hk;
                        on[j2].push(k as u32);
                        on[j].swap_remove(pos);
                        left[j] += hk;
                        adviser[i] = j as u16;
                        left[j] -= h;
                        on[j].push(i as u32);
                        break 'advisers;
                    }
                }
            }
        }
    }
    // Swap: a place left out replaces one visit of lower score on an eligible
    // adviser, where the hours allow.
    for &i in &order {
        let i = i as usize;
        if adviser[i] != NONE || budget == 0 {
            continue;
        }
        let (s, h) = (inst.score[i], f64::from(inst.hours[i]));
        let mut best: Option<(usize, usize, f32)> = None;
        for &j in el.of(i) {
            let j = j as usize;
            for (pos, &k) in on[j].iter().enumerate() {
                budget = budget.saturating_sub(1);
                let k = k as usize;
                let gain = s - inst.score[k];
                if gain > 0.0 && left[j] + f64::from(inst.hours[k]) + 1e-9 >= h && best.is_none_or(|b| gain > b.2) {
                    best = Some((j, pos, gain));
                }
            }
        }
        if let Some((j, pos, _)) = best {
            let k = on[j][pos] as usize;
            adviser[k] = NONE;
            left[j] += f64::from(inst.hours[k]);
            on[j][pos] = i as u32;
            adviser[i] = j as u16;
            left[j] -= h;
        }
    }
    // Fill: a swap frees hours, and may leave out a place that still fits
    // somewhere; every place left out that an adviser in reach still has the
    // hours for is given to them, so no left-out place has such an adviser.
    for &i in &order {
        let i = i as usize;
        if adviser[i] != NONE {
            continue;
        }
        let h = f64::from(inst.hours[i]);
        if let Some(&j) = el.of(i).iter().find(|&&j| left[j as usize] + 1e-9 >= h) {
            adviser[i] = j;
            left[j as usize] -= h;
        }
    }
    let objective: f64 =
        adviser.iter().enumerate().filter(|(_, &a)| a != NONE).map(|(i, _)| f64::from(inst.score[i])).sum();
    let used = (0..m).map(|j| f64::from(inst.adviser_hours[j]) - left[j]).collect();
    let (_, bound) = subgradient(inst, el, (lambda, bound), objective, SUBGRADIENT_STEPS);
    Solution { adviser, objective, upper_bound: bound.max(objective), used }
}

/// What an adviser within reach of a place that was left out has in the
/// solution as it stands: the facts that place's reason is worded from.
#[derive(Debug, Clone, PartialEq)]
pub struct InReach {
    pub name: String,
    /// From the adviser's base to the place.
    pub km: f64,
    pub travel_km: f64,
    pub hours: f64,
    pub used: f64,
    /// The rank of the adviser's last-ranked visit (0 with no visits).
    pub last_rank: u32,
    /// How many of the adviser's visits are ranked below the place.
    pub ranked_below: u32,
    /// The most hours any of the adviser's visits that score less than the place takes.
    pub hours_scoring_less: Option<f64>,
}

impl InReach {
    /// Hours the adviser has left.
    pub fn left(&self) -> f64 {
        (self.hours - self.used).max(0.0)
    }

    /// Whether giving up one visit that scores less than the place would leave
    /// the adviser the hours for it.
    fn could_exchange(&self, hours: f64) -> bool {
        self.hours_scoring_less.is_some_and(|x| self.left() + x + 1e-9 >= hours)
    }
}

/// The facts of adviser `j` for place `i` in a solution (`rank` as
/// [`density_order`] gives it, from 1).
pub fn in_reach(inst: &Instance, sol: &Solution, rank: &[u32], i: usize, j: usize, name: &str) -> InReach {
    let mut r = InReach {
        name: name.to_string(),
        km: distance_km(
            f64::from(inst.lat[i]),
            f64::from(inst.lon[i]),
            f64::from(inst.adviser_lat[j]),
            f64::from(inst.adviser_lon[j]),
        ),
        travel_km: f64::from(inst.adviser_km[j]),
        hours: f64::from(inst.adviser_hours[j]),
        used: sol.used[j],
        last_rank: 0,
        ranked_below: 0,
        hours_scoring_less: None,
    };
    for (k, &a) in sol.adviser.iter().enumerate() {
        if a as usize != j {
            continue;
        }
        r.last_rank = r.last_rank.max(rank[k]);
        if rank[k] > rank[i] {
            r.ranked_below += 1;
        }
        if inst.score[k] < inst.score[i] {
            let h = f64::from(inst.hours[k]);
            r.hours_scoring_less = Some(r.hours_scoring_less.map_or(h, |x| x.max(h)));
        }
    }
    r
}

/// Why a place that at least one adviser could reach was left out, in words
/// that are true of the solution as it is (after the moves and swaps, not as
/// the greedy first left it): which advisers were in reach, the hours each has
/// left, and what they were spent on. Begins "not allocated".
pub fn left_out_reason(hours: f64, score: f64, rank: u32, within: &[InReach]) -> String {
    use crate::martyns_law::thousands;
    let limit = within.iter().map(|a| a.travel_km).fold(0.0f64, f64::max);
    let spare: Vec<&InReach> = within.iter().filter(|a| a.left() + 1e-9 >= hours).collect();
    if let Some(a) = spare.first() {
        return format!(
            "not allocated, although {} ({:.0} km away) still has {:.1} of {:.0} hours left, enough for the {hours} \
             hours this visit needs: the solver's search stopped before it gave them this place.",
            a.name,
            a.km,
            a.left(),
            a.hours
        );
    }
    let plain = within.iter().all(|a| a.last_rank < rank && !a.could_exchange(hours));
    if plain {
        let by = within.iter().map(|a| a.last_rank).max().unwrap_or(0);
        let names: Vec<String> = within
            .iter()
            .map(|a| format!("{} ({:.0} km, {:.1} of {:.0} hours used)", a.name, a.km, a.used, a.hours))
            .collect();
        return format!(
            "not allocated: every adviser within {limit:.0} km had used their hours by rank {}, leaving less than \
             the {hours} hours this visit needs: {}.",
            thousands(u64::from(by)),
            names.join("; ")
        );
    }
    let each: Vec<String> = within
        .iter()
        .map(|a| {
            if a.could_exchange(hours) {
                format!(
                    "{} ({:.0} km away) has {:.1} of {:.0} hours left and holds a visit that scores less than this \
                     place's {score:.1} and would free the hours for it; the solver's search stopped before trying \
                     that exchange",
                    a.name,
                    a.km,
                    a.left(),
                    a.hours
                )
            } else if a.ranked_below == 0 {
                format!(
                    "{} ({:.0} km away) used {:.1} of {:.0} hours on places ranked above this one, the last at rank {}",
                    a.name,
                    a.km,
                    a.used,
                    a.hours,
                    thousands(u64::from(a.last_rank))
                )
            } else {
                format!(
                    "{} ({:.0} km away) has {:.1} of {:.0} hours left, and gave hours to {} {} ranked below this one \
                     by score per hour that either {} more than this place's {score:.1} or {} fewer hours than it",
                    a.name,
                    a.km,
                    a.left(),
                    a.hours,
                    thousands(u64::from(a.ranked_below)),
                    if a.ranked_below == 1 { "place" } else { "places" },
                    if a.ranked_below == 1 { "scores" } else { "score" },
                    if a.ranked_below == 1 { "needs" } else { "need" },
                )
            }
        })
        .collect();
    format!(
        "not allocated: every adviser within {limit:.0} km has less than the {hours} hours this visit needs left: {}.",
        each.join("; ")
    )
}

/// Whether a solution keeps every rule: each place at most one adviser, who is
/// eligible, and no adviser over their hours. Returns the first broken rule.
pub fn check(inst: &Instance, adviser: &[u16]) -> Result<f64, String> {
    if adviser.len() != inst.places() {
        return Err("one adviser (or none) per place".into());
    }
    let mut used = vec![0.0f64; inst.advisers()];
    let mut objective = 0.0;
    for (i, &a) in adviser.iter().enumerate() {
        if a == NONE {
            continue;
        }
        let j = a as usize;
        if j >= inst.advisers() {
            return Err(format!("place {i}: no adviser {j}"));
        }
        if !inst.eligible(i, j) {
            return Err(format!("place {i}: adviser {j} is beyond their travel distance"));
        }
        used[j] += f64::from(inst.hours[i]);
        objective += f64::from(inst.score[i]);
    }
    for (j, u) in used.iter().enumerate() {
        if *u > f64::from(inst.adviser_hours[j]) + 1e-6 {
            return Err(format!("adviser {j}: {u} hours is over their {}", inst.adviser_hours[j]));
        }
    }
    Ok(objective)
}

/// The exact optimum by enumeration (tests only: `(m + 1)^n` assignments).
pub fn brute_force(inst: &Instance) -> f64 {
    let n = inst.places();
    let m = inst.advisers();
    let el = inst.eligibility();
    let mut best = 0.0;
    let mut choice = vec![0usize; n];
    let mut used = vec![0.0f64; m];
    fn go(
        i: usize,
        inst: &Instance,
        el: &Eligibility,
        choice: &mut [usize],
        used: &mut [f64],
        value: f64,
        best: &mut f64,
    ) {
        if i == inst.places() {
            if value > *best {
                *best = value;
            }
            return;
        }
        choice[i] = usize::MAX;
        go(i + 1, inst, el, choice, used, value, best);
        for &j in el.of(i) {
            let j = j as usize;
            let h = f64::from(inst.hours[i]);
            if used[j] + h <= f64::from(inst.adviser_hours[j]) + 1e-9 {
                used[j] += h;
                choice[i] = j;
                go(i + 1, inst, el, choice, used, value + f64::from(inst.score[i]), best);
                used[j] -= h;
            }
        }
    }
    go(0, inst, &el, &mut choice, &mut used, 0.0, &mut best);
    best
}

/// The instance written as an MPS model (free-format MPS, maximisation written
/// as minimising the negated scores): binaries `x_i_j` for eligible pairs,
/// rows `p_i` (at most one adviser) and `a_j` (hours).
pub fn write_mps(inst: &Instance, el: &Eligibility, out: &mut impl std::io::Write) -> std::io::Result<()> {
    writeln!(out, "NAME cordon_allocation")?;
    writeln!(out, "ROWS")?;
    writeln!(out, " N obj")?;
    for i in 0..inst.places() {
        if !el.of(i).is_empty() {
            writeln!(out, " L p{i}")?;
        }
    }
    for j in 0..inst.advisers() {
        writeln!(out, " L a{j}")?;
    }
    writeln!(out, "COLUMNS")?;
    writeln!(out, "    MARKER MARKER INTORG")?;
    for i in 0..inst.places() {
        for &j in el.of(i) {
            writeln!(out, "    x{i}_{j} obj {} p{i} 1", -inst.score[i])?;
            writeln!(out, "    x{i}_{j} a{j} {}", inst.hours[i])?;
        }
    }
    writeln!(out, "    MARKER MARKER INTEND")?;
    writeln!(out, "RHS")?;
    for i in 0..inst.places() {
        if !el.of(i).is_empty() {
            writeln!(out, "    rhs p{i} 1")?;
        }
    }
    for j in 0..inst.advisers() {
        writeln!(out, "    rhs a{j} {}", inst.adviser_hours[j])?;
    }
    writeln!(out, "BOUNDS")?;
    for i in 0..inst.places() {
        for &j in el.of(i) {
            writeln!(out, " BV bnd x{i}_{j}")?;
        }
    }
    writeln!(out, "ENDATA")
}

/// A random instance (tests and benchmarks): places scattered in a box,
/// advisers' bases among them.
pub fn random_instance(seed: u64, places: usize, advisers: usize, km: f32, hours: f32) -> Instance {
    let mut state = seed.wrapping_mul(2862933555777941757).wrapping_add(3037000493);
    let mut next = move || {
        state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        ((state >> 33) as f64 / (1u64 << 31) as f64) as f32
    };
    let mut inst = Instance::default();
    // Great Britain's box, roughly.
    let (lat0, lat1, lon0, lon1) = (50.2f32, 58.5f32, -5.5f32, 1.7f32);
    for _ in 0..places {
        let score = 1.0 + 99.0 * next() * next();
        let hours = [2.0, 3.0, 4.0, 6.0, 10.0][(next() * 5.0) as usize % 5];
        inst.push_place(score, hours, lat0 + (lat1 - lat0) * next(), lon0 + (lon1 - lon0) * next());
    }
    for _ in 0..advisers {
        inst.push_adviser(
            hours * (0.75 + 0.5 * next()),
            km,
            lat0 + (lat1 - lat0) * next(),
            lon0 + (lon1 - lon0) * next(),
        );
    }
    inst
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn small(seed: u64, n: usize, m: usize) -> Instance {
        // A small box so that most places are within reach of some adviser.
        let mut inst = Instance::default();
        let mut s = seed.wrapping_add(1);
        let mut next = move || {
            s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            ((s >> 33) % 1000) as f32 / 1000.0
        };
        for _ in 0..n {
            inst.push_place(
                1.0 + 20.0 * next(),
                [1.0, 2.0, 3.0, 5.0][(next() * 4.0) as usize % 4],
                54.0 + next(),
                -2.0 + next(),
            );
        }
        for _ in 0..m {
            inst.push_adviser(2.0 + 6.0 * next(), 30.0 + 60.0 * next(), 54.0 + next(), -2.0 + next());
        }
        inst
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]

        #[test]
        fn solutions_are_feasible_and_bounded(seed in any::<u64>(), n in 0usize..40, m in 1usize..6) {
            let inst = small(seed, n, m);
            let sol = solve(&inst);
            let objective = check(&inst, &sol.adviser).map_err(TestCaseError::fail)?;
            prop_assert!((objective - sol.objective).abs() < 1e-3);
            prop_assert!(sol.upper_bound + 1e-6 >= sol.objective);
            for (j, u) in sol.used.iter().enumerate() {
                prop_assert!(*u <= f64::from(inst.adviser_hours[j]) + 1e-6);
            }
        }

        #[test]
        fn on_small_instances_the_optimum_lies_between_solution_and_bound(seed in any::<u64>(), n in 1usize..8, m in 1usize..3) {
            let inst = small(seed, n, m);
            let sol = solve(&inst);
            let optimum = brute_force(&inst);
            prop_assert!(sol.objective <= optimum + 1e-6, "{} > optimum {}", sol.objective, optimum);
            prop_assert!(sol.upper_bound + 1e-4 >= optimum, "bound {} below optimum {}", sol.upper_bound, optimum);
            // Small instances are solved exactly.
            prop_assert!((sol.objective - optimum).abs() < 1e-3, "{} is not the optimum {}", sol.objective, optimum);
        }
    }

    /// A small instance whose places are spread so that each adviser reaches only
    /// some of them, with hours tight enough that the heuristic has choices to make.
    fn tight(seed: u64, n: usize, m: usize) -> Instance {
        let mut inst = small(seed, n, m);
        for j in 0..m {
            inst.adviser_km[j] = 25.0 + (inst.adviser_km[j] - 30.0) / 2.0;
        }
        inst
    }

    /// The checks every solution of the heuristic path must pass: each place at
    /// most one adviser, within that adviser's travel distance, no adviser over
    /// their hours, the objective and hours used as reported, and a bound at
    /// least the objective.
    fn feasible(inst: &Instance, sol: &Solution) -> Result<(), TestCaseError> {
        prop_assert_eq!(sol.adviser.len(), inst.places());
        let objective = check(inst, &sol.adviser).map_err(TestCaseError::fail)?;
        prop_assert!((objective - sol.objective).abs() < 1e-3, "objective {} reported as {}", objective, sol.objective);
        let mut used = vec![0.0f64; inst.advisers()];
        for (i, &a) in sol.adviser.iter().enumerate() {
            if a != NONE {
                let j = a as usize;
                let d = distance_km(
                    f64::from(inst.lat[i]),
                    f64::from(inst.lon[i]),
                    f64::from(inst.adviser_lat[j]),
                    f64::from(inst.adviser_lon[j]),
                );
                prop_assert!(d <= f64::from(inst.adviser_km[j]) + 1e-9, "place {} is {} km from adviser {}", i, d, j);
                used[j] += f64::from(inst.hours[i]);
            }
        }
        for (j, (&u, &reported)) in used.iter().zip(&sol.used).enumerate() {
            prop_assert!(u <= f64::from(inst.adviser_hours[j]) + 1e-6, "adviser {} over their hours", j);
            prop_assert!((u - reported).abs() < 1e-6, "adviser {} used {} reported {}", j, u, reported);
        }
        prop_assert!(
            sol.upper_bound + 1e-6 >= sol.objective,
            "bound {} below objective {}",
            sol.upper_bound,
            sol.objective
        );
        Ok(())
    }

    // The heuristic path (`solve_with`: greedy, moves and swaps, and the
    // Lagrangian bound with subgradient steps) is what every real instance is
    // solved with; `solve` replaces it by the exact search only when 40 or
    // fewer places are within reach, so it is tested here on its own.
    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]

        #[test]
        fn the_heuristic_path_is_feasible(seed in any::<u64>(), n in 0usize..120, m in 1usize..8, rounds in 0usize..6) {
            let inst = tight(seed, n, m);
            let el = inst.eligibility();
            let sol = solve_with(&inst, &el, rounds);
            feasible(&inst, &sol)?;
        }

        #[test]
        fn the_heuristic_path_lies_below_the_optimum_and_its_bound_above(
            seed in any::<u64>(), n in 1usize..9, m in 1usize..4, rounds in 0usize..6, tighten in any::<bool>()
        ) {
            let inst = if tighten { tight(seed, n, m) } else { small(seed, n, m) };
            let el = inst.eligibility();
            let sol = solve_with(&inst, &el, rounds);
            feasible(&inst, &sol)?;
            let optimum = brute_force(&inst);
            prop_assert!(sol.objective <= optimum + 1e-6, "{} > optimum {}", sol.objective, optimum);
            prop_assert!(sol.upper_bound + 1e-4 >= optimum, "bound {} below optimum {}", sol.upper_bound, optimum);
        }
    }

    fn ranks(inst: &Instance) -> Vec<u32> {
        let mut rank = vec![0u32; inst.places()];
        for (r, &i) in density_order(inst).iter().enumerate() {
            rank[i as usize] = r as u32 + 1;
        }
        rank
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]

        /// The reason of each place left out, worded from the heuristic's final
        /// solution, says only what that solution bears out.
        #[test]
        fn a_left_out_place_s_reason_is_true_of_the_heuristic_solution(
            seed in any::<u64>(), n in 1usize..90, m in 1usize..6, rounds in 0usize..6
        ) {
            let inst = tight(seed, n, m);
            let el = inst.eligibility();
            let sol = solve_with(&inst, &el, rounds);
            let rank = ranks(&inst);
            for i in 0..n {
                if sol.adviser[i] != NONE || el.of(i).is_empty() {
                    continue;
                }
                let h = f64::from(inst.hours[i]);
                let within: Vec<InReach> = el
                    .of(i)
                    .iter()
                    .map(|&j| in_reach(&inst, &sol, &rank, i, j as usize, &format!("Adviser {j}")))
                    .collect();
                let reason = left_out_reason(h, f64::from(inst.score[i]), rank[i], &within);
                prop_assert!(reason.starts_with("not allocated"), "{}", reason);
                let chosen = &sol.adviser;
                let visits = |j: u16| (0..n).filter(move |&k| chosen[k] == j);
                for &j in el.of(i) {
                    let used: f64 = visits(j).map(|k| f64::from(inst.hours[k])).sum();
                    // No adviser in reach still has the hours for it.
                    prop_assert!(used + h > f64::from(inst.adviser_hours[j as usize]) + 1e-9,
                        "place {} left out though adviser {} has {} of {} hours used", i, j, used, inst.adviser_hours[j as usize]);
                    prop_assert!(reason.contains(&format!("Adviser {j} (")), "{}", reason);
                }
                prop_assert!(!reason.contains("stopped before it gave them"), "{}", reason);
                if let Some(rest) = reason.split("had used their hours by rank ").nth(1) {
                    let by: u32 = rest.split(", leaving").next().unwrap().replace(',', "").parse().unwrap();
                    prop_assert!(by < rank[i], "by rank {} is not before the place's rank {}: {}", by, rank[i], reason);
                    for &j in el.of(i) {
                        for k in visits(j) {
                            prop_assert!(rank[k] <= by, "adviser {} visits rank {} after {}: {}", j, rank[k], by, reason);
                        }
                    }
                } else {
                    prop_assert!(reason.contains("has less than the"), "{}", reason);
                    let some_below = el.of(i).iter().any(|&j| visits(j).any(|k| rank[k] > rank[i]));
                    let some_exchange = el.of(i).iter().any(|&j| {
                        let used: f64 = visits(j).map(|k| f64::from(inst.hours[k])).sum();
                        let left = f64::from(inst.adviser_hours[j as usize]) - used;
                        visits(j).any(|k| inst.score[k] < inst.score[i] && left + f64::from(inst.hours[k]) + 1e-9 >= h)
                    });
                    prop_assert!(some_below || some_exchange, "{}", reason);
                }
            }
        }
    }

    #[test]
    fn after_a_swap_a_left_out_place_is_not_said_to_have_lost_to_places_ranked_above_it() {
        // One adviser with 3 hours; (score, hours) A (10, 2) ranks first by score
        // per hour and C (12, 3) second. The greedy gives A, and the swap then
        // gives C instead (12 > 10): A was left out for a place ranked below it.
        let mut inst = Instance::default();
        inst.push_place(10.0, 2.0, 54.0, -1.0);
        inst.push_place(12.0, 3.0, 54.0, -1.0);
        inst.push_adviser(3.0, 10.0, 54.0, -1.0);
        let el = inst.eligibility();
        let sol = solve_with(&inst, &el, 4);
        assert_eq!(sol.adviser, vec![NONE, 0]);
        let rank = ranks(&inst);
        assert_eq!(rank, vec![1, 2]);
        let within = [in_reach(&inst, &sol, &rank, 0, 0, "Alex")];
        let reason = left_out_reason(2.0, 10.0, rank[0], &within);
        assert!(!reason.contains("had used their hours by rank"), "{reason}");
        assert!(
            reason.contains(
                "Alex (0 km away) has 0.0 of 3 hours left, and gave hours to 1 place ranked below this one by score \
                 per hour that either scores more than this place's 10.0 or needs fewer hours than it"
            ),
            "{reason}"
        );
    }

    #[test]
    fn a_place_out_of_everyone_s_reach_is_never_allocated() {
        let mut inst = Instance::default();
        inst.push_place(50.0, 2.0, 54.0, -1.0);
        inst.push_place(10.0, 2.0, 58.0, -1.0); // 440 km north
        inst.push_adviser(10.0, 60.0, 54.1, -1.0);
        let sol = solve(&inst);
        assert_eq!(sol.adviser, vec![0, NONE]);
        assert_eq!(sol.objective, 50.0);
        assert!((sol.upper_bound - 50.0).abs() < 1e-6, "{}", sol.upper_bound);
    }

    #[test]
    fn the_greedy_is_exact_where_hours_decide_and_the_bound_is_the_lp() {
        // One adviser with 4 hours: places (score, hours) (10, 2), (9, 2), (12, 4).
        let mut inst = Instance::default();
        for (s, h) in [(10.0, 2.0), (9.0, 2.0), (12.0, 4.0)] {
            inst.push_place(s, h, 54.0, -1.0);
        }
        inst.push_adviser(4.0, 10.0, 54.0, -1.0);
        let sol = solve(&inst);
        assert_eq!(sol.objective, 19.0);
        assert_eq!(brute_force(&inst), 19.0);
        // The LP takes both 2-hour places: 19 exactly.
        assert!((sol.upper_bound - 19.0).abs() < 1e-6, "{}", sol.upper_bound);
    }

    #[test]
    fn two_small_visits_do_not_block_a_better_large_one() {
        // Greedy by score per hour takes the two 1-hour places and cannot fit the
        // 5-hour one; the exact search for small instances finds 45.
        let mut inst = Instance::default();
        for (s, h) in [(10.0, 1.0), (10.0, 1.0), (45.0, 5.0)] {
            inst.push_place(s, h, 54.0, -1.0);
        }
        inst.push_adviser(5.0, 10.0, 54.0, -1.0);
        let el = inst.eligibility();
        let greedy = solve_with(&inst, &el, 4);
        assert!(greedy.objective < 45.0 && greedy.upper_bound >= 45.0);
        let sol = solve(&inst);
        assert_eq!((sol.objective, sol.upper_bound, sol.gap()), (45.0, 45.0, 0.0));
        check(&inst, &sol.adviser).unwrap();
    }

    #[test]
    fn the_mps_model_names_every_eligible_pair() {
        let inst = small(7, 5, 2);
        let el = inst.eligibility();
        let mut out = Vec::new();
        write_mps(&inst, &el, &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.starts_with("NAME cordon_allocation\nROWS\n N obj\n"));
        assert_eq!(text.matches(" BV bnd ").count(), el.list.len());
        assert!(text.ends_with("ENDATA\n"));
    }

    #[test]
    fn eligibility_by_band_equals_checking_every_pair() {
        let inst = random_instance(3, 2_000, 25, 60.0, 100.0);
        let el = inst.eligibility();
        for i in 0..inst.places() {
            let all: Vec<u16> = (0..inst.advisers()).filter(|&j| inst.eligible(i, j)).map(|j| j as u16).collect();
            assert_eq!(el.of(i), all.as_slice());
        }
    }

    #[test]
    fn a_larger_instance_is_solved_within_a_few_percent_of_its_bound() {
        let inst = random_instance(11, 5_000, 20, 80.0, 120.0);
        let sol = solve(&inst);
        check(&inst, &sol.adviser).unwrap();
        assert!(sol.gap() < 0.03, "gap {}", sol.gap());
    }
}

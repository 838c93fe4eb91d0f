//! Synthetic news articles for tests and benchmarks (shared by both).

const PLACES: &[&str] = &[
    "GENEVA",
    "MOSCOW",
    "WASHINGTON",
    "LONDON",
    "PARIS",
    "BERLIN",
    "TOKYO",
    "CAIRO",
];
const PEOPLE: &[&str] = &[
    "John Kerry",
    "Sergey Lavrov",
    "Mike Pompeo",
    "Angela Merkel",
    "Emmanuel Macron",
    "Shinzo Abe",
];
const TOPICS: &[&str] = &[
    "trade",
    "security",
    "climate",
    "energy",
    "migration",
    "health",
];

/// Returns the text of synthetic article `n`: distinct for every `n`, about
/// `paragraphs` paragraphs long, with a title, a dateline, a quote and
/// scraper boilerplate.
pub fn article(n: usize, paragraphs: usize) -> String {
    let place = PLACES[n % PLACES.len()];
    let person = PEOPLE[n % PEOPLE.len()];
    let topic = TOPICS[(n / 7) % TOPICS.len()];
    let mut text =
        format!("Talks on {topic} resume as {person} meets partners (report {n})\n\nShare\n\n");
    text.push_str(&format!(
        "{place} (Reuters) - {person} said on Friday that negotiations on {topic} would continue next week, \
         after a meeting that lasted almost {} hours, according to officials familiar with report {n}.\n\n",
        n % 12 + 1
    ));
    for p in 0..paragraphs.saturating_sub(2) {
        text.push_str(&format!(
            "Paragraph {p} of report {n}: delegations from {} countries discussed {topic} financing, \
             and the ministers agreed to meet again in {}. Observers said the mood was constructive \
             but that {} issues remained open.\n\n",
            n % 40 + 3,
            PLACES[(n + p) % PLACES.len()],
            p + 2
        ));
    }
    text.push_str(&format!(
        "“We made real progress on {topic} today,” {person} told reporters.\n\nAdvertisement\n"
    ));
    text
}

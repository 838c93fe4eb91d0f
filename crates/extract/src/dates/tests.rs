use super::*;
use wirehose_text::calendar::{add_months, civil_from_days, days_from_civil, iso_week, weekday};

/// (text, value) pairs found in `body` against `anchor`.
fn dates(body: &str, anchor: Option<&str>) -> Vec<(String, Option<String>)> {
    find_in(body, anchor)
        .into_iter()
        .map(|d| (d.text, d.value))
        .collect()
}

fn one(body: &str, anchor: &str) -> (String, Option<String>) {
    let found = dates(body, Some(anchor));
    assert_eq!(found.len(), 1, "{body}: {found:?}");
    found.into_iter().next().expect("one")
}

fn value(body: &str, anchor: &str) -> String {
    one(body, anchor).1.unwrap_or_default()
}

#[test]
fn calendar_round_trips() {
    for days in -800_000..800_000 {
        let (y, m, d) = civil_from_days(days);
        assert_eq!(days_from_civil(y, m, d), days);
    }
    assert_eq!(days_from_civil(1970, 1, 1), 0);
    assert_eq!(weekday(days_from_civil(2019, 5, 17)), 4); // a Friday
    assert_eq!(iso_week(days_from_civil(2021, 1, 3)), (2020, 53));
    assert_eq!(iso_week(days_from_civil(2019, 12, 30)), (2020, 1));
    assert_eq!(add_months(2019, 1, -1), (2018, 12));
    assert_eq!(add_months(2019, 12, 1), (2020, 1));
}

#[test]
fn anchors() {
    assert_eq!(
        Anchor::parse(Some("2019-05-15")),
        Anchor::Date(days_from_civil(2019, 5, 15))
    );
    assert_eq!(
        Anchor::parse(Some("2019-05-15T10:00:00Z")),
        Anchor::Date(days_from_civil(2019, 5, 15))
    );
    assert_eq!(Anchor::parse(Some("--05-15")), Anchor::MonthDay(5, 15));
    assert_eq!(Anchor::parse(Some("2019-02-29")), Anchor::Unknown);
    assert_eq!(Anchor::parse(Some("yesterday")), Anchor::Unknown);
    assert_eq!(Anchor::parse(None), Anchor::Unknown);
}

#[test]
fn absolute_dates() {
    let a = "2019-06-01";
    assert_eq!(value("They met on May 15, 2019 in Sochi.", a), "2019-05-15");
    assert_eq!(value("They met on 15 May 2019 in Sochi.", a), "2019-05-15");
    assert_eq!(value("Filed 2019-05-15 by the clerk.", a), "2019-05-15");
    assert_eq!(value("They met on May 15 in Sochi.", a), "2019-05-15");
    assert_eq!(value("They met on the 3rd of May.", a), "2019-05-03");
    assert_eq!(
        value("The vote was held on Sept. 3 after a delay.", a),
        "2018-09-03"
    );
    assert_eq!(value("Talks began in May 2019 in Geneva.", a), "2019-05");
    assert_eq!(value("Talks began in March of 2017.", a), "2017-03");
    assert_eq!(value("The war began in 2011.", a), "2011");
    assert_eq!(value("Prices have doubled since 1990, he said.", a), "1990");
    assert_eq!(value("It closes by the end of 2015.", a), "2015");
    assert_eq!(one("In early 2016 it closed.", a).0, "early 2016");
    assert!(dates("A total of 2015 was paid.", Some(a)).is_empty());
    assert_eq!(value("It was a key issue in the 2016 election.", a), "2016");
    assert_eq!(value("Sales rose in mid-2016 and fell.", a), "2016");
    assert_eq!(one("Sales rose in mid-2016 and fell.", a).0, "mid-2016");
    assert_eq!(
        one("On Tuesday, May 14, 2019, the talks opened.", a).0,
        "Tuesday, May 14, 2019"
    );
    // An invalid day is no date.
    assert!(dates("It was February 30 again.", Some(a)).is_empty());
}

#[test]
fn year_ranges() {
    let found = dates("She served from 2011 to 2015 in the Senate.", None);
    let values: Vec<_> = found.iter().filter_map(|d| d.1.clone()).collect();
    assert_eq!(values, vec!["2011", "2015"]);
}

#[test]
fn month_day_year_inference() {
    // Taken in the anchor's year...
    assert_eq!(
        value("The deal was signed on March 3.", "2019-05-15"),
        "2019-03-03"
    );
    // ...unless that is more than 60 days after a past-tense anchor.
    assert_eq!(
        value("The deal was signed on Dec. 28.", "2019-01-05"),
        "2018-12-28"
    );
    // In a future context a date well before the anchor is next year's.
    assert_eq!(
        value("The summit will open on Jan. 10.", "2019-12-20"),
        "2020-01-10"
    );
    // Without an anchor the year stays unknown.
    assert_eq!(
        dates("They met on May 14.", None)[0].1.as_deref(),
        Some("--05-14")
    );
    assert_eq!(value("They met on May 14.", "--05-15"), "--05-14");
}

#[test]
fn months_alone() {
    let a = "2016-09-20";
    assert_eq!(
        value("They teamed up in July to share intelligence.", a),
        "2016-07"
    );
    assert_eq!(
        value("They teamed up in December, officials said.", a),
        "2015-12"
    );
    assert_eq!(value("Elections will be held in March.", a), "2017-03");
    assert_eq!(value("He resigned last March.", a), "2016-03");
    assert_eq!(value("He resigned last September.", a), "2015-09");
    assert_eq!(value("He will resign next January.", a), "2017-01");
    assert_eq!(
        one("Fighting resumed in mid-June.", a),
        ("mid-June".into(), Some("2016-06".into()))
    );
    assert_eq!(one("It rained in early May.", a).0, "early May");
    assert_eq!(
        dates("They teamed up in July.", None),
        vec![("July".into(), None)]
    );
}

#[test]
fn month_false_positives() {
    let a = Some("2019-05-15");
    assert!(
        dates(
            "The talks may resume, but no one may march on the capital.",
            a
        )
        .is_empty()
    );
    assert!(dates("Prime Minister May said the deal was dead.", a).is_empty());
    assert!(dates("A letter from May to the party was leaked.", a).is_empty());
    assert!(dates("Thousands joined the March for Our Lives.", a).is_empty());
    assert!(dates("He cited Resolution 2254 of the council.", a).is_empty());
}

#[test]
fn weekdays() {
    // 2019-05-15 is a Wednesday.
    let a = "2019-05-15";
    assert_eq!(
        one("The talks on Tuesday evening went well.", a),
        ("on Tuesday evening".into(), Some("2019-05-14".into()))
    );
    assert_eq!(
        one("The talks Tuesday evening went well.", a).0,
        "Tuesday evening"
    );
    assert_eq!(
        value("Officials said on Friday that the talks failed.", a),
        "2019-05-10"
    );
    assert_eq!(
        value("The minister will travel to Moscow on Friday.", a),
        "2019-05-17"
    );
    assert_eq!(
        value("Kerry said he would meet Lavrov on Monday.", a),
        "2019-05-20"
    );
    assert_eq!(value("Protesters gathered last Monday.", a), "2019-05-13");
    assert_eq!(value("They meet again next Thursday.", a), "2019-05-16");
    assert_eq!(
        value(
            "The United States and Russia agreed Friday on new steps.",
            a
        ),
        "2019-05-10"
    );
    assert_eq!(value("Friday's vote was close.", a), "2019-05-10");
    assert_eq!(one("Friday's vote was close.", a).0, "Friday");
    // A bare weekday equal to the anchor's is the anchor itself.
    assert_eq!(value("The talks opened on Wednesday.", a), "2019-05-15");
    assert_eq!(value("Talks will resume on Wednesday.", a), "2019-05-15");
    assert_eq!(value("He resigned last Wednesday.", a), "2019-05-08");
    assert_eq!(value("He leaves next Wednesday.", a), "2019-05-22");
    // Year boundary.
    assert_eq!(value("Shops opened on Sunday.", "2020-01-01"), "2019-12-29");
    // No full anchor: nothing to resolve against.
    assert_eq!(
        dates("The talks on Tuesday evening.", Some("--05-15"))[0].1,
        None
    );
    assert_eq!(dates("The talks on Tuesday evening.", None)[0].1, None);
}

#[test]
fn weekday_false_positives() {
    let a = Some("2019-05-15");
    assert!(dates("He told the Sunday Times that he would resign.", a).is_empty());
    assert!(dates("Shoppers crowded stores on Black Friday.", a).is_empty());
    assert!(dates("Results of Super Tuesday came in.", a).is_empty());
    assert!(dates("The market is open every Monday.", a).is_empty());
    assert!(dates("The market is open on Mondays.", a).is_empty());
    assert!(dates("A writer for Sunday Express said so.", a).is_empty());
}

#[test]
fn day_words() {
    let a = "2019-05-15";
    assert_eq!(value("The talks resume today.", a), "2019-05-15");
    assert_eq!(value("Today the talks resume.", a), "2019-05-15");
    assert_eq!(value("He spoke tonight.", a), "2019-05-15");
    assert_eq!(value("He spoke yesterday.", a), "2019-05-14");
    assert_eq!(one("He spoke yesterday morning.", a).0, "yesterday morning");
    assert_eq!(value("He speaks tomorrow.", a), "2019-05-16");
    assert_eq!(value("Rockets fell last night.", a), "2019-05-14");
    assert_eq!(value("He arrived this morning.", a), "2019-05-15");
    assert_eq!(value("He left the day before yesterday.", a), "2019-05-13");
    assert_eq!(value("He spoke yesterday.", "--03-01"), "--02-28");
    assert_eq!(value("He spoke yesterday.", "2020-03-01"), "2020-02-29");
    assert_eq!(value("He spoke yesterday.", "2019-01-01"), "2018-12-31");
    assert_eq!(dates("He spoke yesterday.", None)[0].1, None);
    assert!(dates("He told USA Today the plan was dead.", Some(a)).is_empty());
    assert!(dates("She appeared on the Today show.", Some(a)).is_empty());
}

#[test]
fn periods() {
    let a = "2019-05-15";
    assert_eq!(value("Sales rose this week.", a), "2019-W20");
    assert_eq!(value("Sales rose last week.", a), "2019-W19");
    assert_eq!(value("Sales rise next week.", a), "2019-W21");
    assert_eq!(value("Sales rose this month.", a), "2019-05");
    assert_eq!(value("Sales rose last month.", a), "2019-04");
    assert_eq!(value("Sales rise next month.", a), "2019-06");
    assert_eq!(value("Sales rose this year.", a), "2019");
    assert_eq!(value("Sales rose last year.", a), "2018");
    assert_eq!(value("Sales rise next year.", a), "2020");
    assert_eq!(
        one("Sales rose earlier this month.", a),
        ("earlier this month".into(), Some("2019-05".into()))
    );
    assert_eq!(one("Sales fell late last month.", a).0, "late last month");
    assert_eq!(
        one("Sales fell at the end of last year.", a).0,
        "the end of last year"
    );
    assert_eq!(value("It rained last weekend.", a), "2019-W19");
    // Year boundaries.
    assert_eq!(value("Sales rose last month.", "2019-01-10"), "2018-12");
    assert_eq!(value("Sales rise next month.", "2019-12-10"), "2020-01");
    assert_eq!(value("Sales rose last week.", "2019-01-02"), "2018-W52");
    // Durations are not dates.
    assert!(dates("Prices doubled over the last year.", Some(a)).is_empty());
    assert!(dates("Talks continue through the next week.", Some(a)).is_empty());
    assert_eq!(dates("Sales rose last month.", Some("--05-15"))[0].1, None);
}

#[test]
fn ago() {
    let a = "2019-05-15";
    assert_eq!(value("He left three days ago.", a), "2019-05-12");
    assert_eq!(value("He left 10 days ago.", a), "2019-05-05");
    assert_eq!(value("He left two weeks ago.", a), "2019-W18");
    assert_eq!(value("He left a month ago.", a), "2019-04");
    assert_eq!(value("He left five years ago.", a), "2014");
    assert!(dates("He left a few days ago.", Some(a)).is_empty());
    assert_eq!(
        one("Seventy-four years ago, a battle raged.", a)
            .1
            .as_deref(),
        Some("1945")
    );
    assert_eq!(value("Twenty-two years ago, he left.", a), "1997");
}

#[test]
fn of_last_year() {
    let a = "2016-10-02";
    assert_eq!(
        one("We started on June 16th of last year.", a),
        ("June 16th of last year".into(), Some("2015-06-16".into()))
    );
    assert_eq!(
        one("A plan is due by March of next year.", a),
        ("March of next year".into(), Some("2017-03".into()))
    );
    assert!(dates("Still hoping for a brighter tomorrow.", Some(a)).is_empty());
}

#[test]
fn numbers_that_are_not_years() {
    let a = Some("2019-05-15");
    assert!(dates("More than 2,000 people marched.", a).is_empty());
    assert!(dates("He won by 2000 votes.", a).is_empty());
    assert!(dates("There were 1990 cases in total.", a).is_empty());
    assert!(dates("Flight 2015 landed safely.", a).is_empty());
}

#[test]
fn offsets_are_code_points() {
    let body = "“Yes,” he said on Friday.";
    let found = find_in(body, Some("2019-05-15"));
    assert_eq!(found.len(), 1);
    let chars: Vec<char> = body.chars().collect();
    let text: String = chars[found[0].start..found[0].end].iter().collect();
    assert_eq!(text, "on Friday");
    assert_eq!(found[0].text, "on Friday");
}

use super::*;

/// (text, value, unit) triples found in `body`.
fn amounts(body: &str) -> Vec<(String, f64, String)> {
    find_in(body)
        .into_iter()
        .map(|a| (a.text, a.value, a.unit))
        .collect()
}

fn one(body: &str) -> (String, f64, String) {
    let found = amounts(body);
    assert_eq!(found.len(), 1, "{body}: {found:?}");
    found.into_iter().next().expect("one")
}

fn t(text: &str, value: f64, unit: &str) -> (String, f64, String) {
    (text.to_string(), value, unit.to_string())
}

#[test]
fn counted_nouns() {
    assert_eq!(
        one("Some 370,000 people fled."),
        t("370,000 people", 370_000.0, "people")
    );
    assert_eq!(
        one("They talked for 10 hours in Geneva."),
        t("10 hours", 10.0, "hours")
    );
    assert_eq!(
        one("Output fell by 3.5 million barrels a day."),
        t("3.5 million barrels", 3.5e6, "barrels")
    );
    assert_eq!(
        one("The war has killed a half-million people."),
        t("a half-million people", 5e5, "people")
    );
    assert_eq!(
        one("The war has killed half a million people."),
        t("half a million people", 5e5, "people")
    );
    assert_eq!(
        one("There are 12 registered voters left."),
        t("12 registered voters", 12.0, "voters")
    );
    assert_eq!(
        one("Three Russian soldiers were hurt."),
        t("Three Russian soldiers", 3.0, "soldiers")
    );
    assert_eq!(
        one("He met 5 police officers there."),
        t("5 police officers", 5.0, "officers")
    );
    assert_eq!(
        one("The club has 1.2 million members."),
        t("1.2 million members", 1.2e6, "members")
    );
}

#[test]
fn spelled_numbers() {
    assert_eq!(
        one("The blast killed three people."),
        t("three people", 3.0, "people")
    );
    assert_eq!(
        one("Two dozen soldiers were deployed."),
        t("Two dozen soldiers", 24.0, "soldiers")
    );
    assert_eq!(
        one("He hired a dozen lawyers."),
        t("a dozen lawyers", 12.0, "lawyers")
    );
    assert_eq!(
        one("It cost twenty-five lives."),
        t("twenty-five lives", 25.0, "lives")
    );
    assert_eq!(
        one("About two hundred and fifty protesters marched."),
        t("two hundred and fifty protesters", 250.0, "protesters")
    );
    assert_eq!(
        one("It could affect one million homes."),
        t("one million homes", 1e6, "homes")
    );
    // `one` alone, `dozens of` and the like are skipped.
    assert!(amounts("One of the men said one day he would return.").is_empty());
    assert!(amounts("Dozens of people and thousands of soldiers were there.").is_empty());
    assert!(amounts("Hundreds of thousands of people fled.").is_empty());
    assert!(amounts("Two-thirds of voters agreed.").is_empty());
}

#[test]
fn money() {
    assert_eq!(
        one("The deal is worth $1.2 billion."),
        t("$1.2 billion", 1.2e9, "USD")
    );
    assert_eq!(one("He paid £300 for it."), t("£300", 300.0, "GBP"));
    assert_eq!(one("A fine of €5m was imposed."), t("€5m", 5e6, "EUR"));
    assert_eq!(one("It raised US$2bn."), t("US$2bn", 2e9, "USD"));
    assert_eq!(
        one("It will cost 1 billion euros."),
        t("1 billion euros", 1e9, "EUR")
    );
    assert_eq!(
        one("It will cost 300 million rubles."),
        t("300 million rubles", 3e8, "RUB")
    );
    assert_eq!(
        one("It will cost 40 billion yuan."),
        t("40 billion yuan", 4e10, "CNY")
    );
    assert_eq!(
        one("It will cost 5 million Canadian dollars."),
        t("5 million Canadian dollars", 5e6, "CAD")
    );
    assert_eq!(
        one("He was fined 200 pounds sterling."),
        t("200 pounds sterling", 200.0, "GBP")
    );
    let found = amounts("Donors gave between $1 and $2 million to the fund.");
    assert_eq!(
        found,
        vec![t("$1", 1e6, "USD"), t("$2 million", 2e6, "USD")]
    );
    assert_eq!(one("Gas rose to $1.28 a gallon."), t("$1.28", 1.28, "USD"));
}

#[test]
fn percentages() {
    assert_eq!(
        one("Support rose to 42 percent."),
        t("42 percent", 42.0, "percent")
    );
    assert_eq!(one("Support rose to 42%."), t("42%", 42.0, "percent"));
    assert_eq!(
        one("Support rose to 42 per cent."),
        t("42 per cent", 42.0, "percent")
    );
    assert_eq!(
        one("Sixty-seven percent agreed."),
        t("Sixty-seven percent", 67.0, "percent")
    );
    assert_eq!(
        one("It fell 3 percentage points."),
        t("3 percentage points", 3.0, "percentage points")
    );
}

#[test]
fn ranges() {
    assert_eq!(
        amounts("Between 10 to 15 people were hurt."),
        vec![t("10", 10.0, "people"), t("15 people", 15.0, "people")]
    );
    assert_eq!(
        amounts("Support is at 20 or 25 percent."),
        vec![t("20", 20.0, "percent"), t("25 percent", 25.0, "percent")]
    );
    assert_eq!(
        amounts("He said between 100 and 150 soldiers died."),
        vec![
            t("100", 100.0, "soldiers"),
            t("150 soldiers", 150.0, "soldiers")
        ]
    );
    assert_eq!(
        amounts("It lasts 10-15 hours."),
        vec![t("10", 10.0, "hours"), t("15 hours", 15.0, "hours")]
    );
    assert_eq!(
        amounts("It could displace 2 to 3 million people."),
        vec![t("2", 2e6, "people"), t("3 million people", 3e6, "people")]
    );
}

#[test]
fn hyphenated_units() {
    assert_eq!(
        one("After a 10-hour meeting they left."),
        t("10-hour", 10.0, "hour")
    );
    assert_eq!(
        one("They began a three-day visit."),
        t("three-day", 3.0, "day")
    );
    assert!(amounts("A 45-year-old man was arrested.").is_empty());
    assert!(amounts("A seven-year-old girl was hurt.").is_empty());
}

#[test]
fn not_amounts() {
    for text in [
        "The war began in 2011 and the 2016 election followed.",
        "Prices have doubled since 1990.",
        "They met on May 15 and again on 3 June.",
        "They met on Sept. 3 in Geneva.",
        "He left three days ago.",
        "The meeting starts at 7 p.m. and ends at 10:30.",
        "Gavin Hamilton, 23, a student, said so.",
        "He is 45 years old.",
        "She finished 1st in the race.",
        "The F-16 jets and the G20 leaders met.",
        "UN Security Council Resolution 2254 calls for talks.",
        "See page 5 of the report, No. 10 said.",
        "Since 9/11 things changed.",
        "Clemson won 45-40 to take the title.",
        "Karlsruhe won the match 3-1 thanks to late goals.",
        "Duran, whose 97-12 record spans decades, fights on.",
        "Trump tells 3,000 in Reno that he will win.",
        "Mr. Trump won 4 of them.",
    ] {
        assert!(amounts(text).is_empty(), "{text}: {:?}", amounts(text));
    }
}

#[test]
fn compounds_and_singulars() {
    assert_eq!(
        one("They led 2,000 voter-registration events."),
        t("2,000 voter-registration events", 2000.0, "events")
    );
    assert_eq!(
        one("Over a thousand bare feet."),
        t("a thousand bare feet", 1000.0, "feet")
    );
    assert!(amounts("Something a 911 caller said.").is_empty());
    assert!(amounts("It won by a 2 to 1 margin.").is_empty());
    assert_eq!(
        one("That two well-known American cable news networks agreed.").2,
        "networks"
    );
}

#[test]
fn more_modifiers() {
    assert_eq!(
        one("He was shot by four plain-clothes NYPD officers."),
        t("four plain-clothes NYPD officers", 4.0, "officers")
    );
    assert!(amounts("The relationship between the two turned vicious.").is_empty());
    assert_eq!(one("Only three US officials went.").2, "officials");
    assert!(amounts("Emissions fell to 32 percent below 2005 levels.").len() == 1);
}

#[test]
fn years_with_a_count_are_counts() {
    assert_eq!(
        one("Police said 2000 people joined."),
        t("2000 people", 2000.0, "people")
    );
}

#[test]
fn offsets_are_code_points() {
    let body = "“Yes,” he said; 10 hours passed.";
    let found = find_in(body);
    assert_eq!(found.len(), 1);
    let chars: Vec<char> = body.chars().collect();
    let text: String = chars[found[0].start..found[0].end].iter().collect();
    assert_eq!(text, "10 hours");
}

#[test]
fn tokens() {
    let body = "He paid $1,200.50 for 3,000 U.S. bonds.";
    let toks = tokenize(body, false);
    let texts: Vec<&str> = toks.iter().map(|t| &body[t.start..t.end]).collect();
    assert_eq!(
        texts,
        vec![
            "He", "paid", "$", "1,200.50", "for", "3,000", "U", ".", "S", ".", "bonds", "."
        ]
    );
}

#[test]
fn wire_abbreviations_scale_and_count_money() {
    assert_eq!(
        one("It earned 65 mln dlrs in the quarter."),
        t("65 mln dlrs", 65e6, "USD")
    );
    assert_eq!(
        one("Sales rose to 1.2 bln francs last year."),
        t("1.2 bln francs", 1.2e9, "francs")
    );
    assert_eq!(
        one("The group made 20 mln stg before tax."),
        t("20 mln stg", 20e6, "GBP")
    );
    assert_eq!(
        one("Shr 73 cts, up from a year earlier."),
        t("73 cts", 0.73, "USD")
    );
    assert_eq!(
        one("It paid $458 m for the unit."),
        t("$458 m", 458e6, "USD")
    );
    assert_eq!(one("A £1.5bn deal was signed."), t("£1.5bn", 1.5e9, "GBP"));
    // `m` apart from the digits without a currency sign is a distance.
    assert!(
        amounts("She won the 100 m race.")
            .iter()
            .all(|a| a.1 == 100.0)
    );
}

#[test]
fn a_year_never_starts_a_range() {
    let found =
        amounts("The deficit narrowed in 1986 to 336.5 billion escudos from 354.8 billion.");
    assert!(found.iter().all(|a| a.1 != 1.986e12), "{found:?}");
    assert!(
        found.contains(&t("336.5 billion escudos", 336.5e9, "escudos")),
        "{found:?}"
    );
}

#[test]
fn numbers_in_the_language_of_the_article() {
    let german = |body: &str| -> Vec<(String, f64, String)> {
        find(body, &CharIndex::new(body), Some("de"))
            .into_iter()
            .map(|a| (a.text, a.value, a.unit))
            .collect()
    };
    assert_eq!(
        german("Die Inflation stieg auf 2,1 %."),
        [t("2,1 %", 2.1, "percent")]
    );
    assert_eq!(
        german("Die Quote lag bei 1.986,5 %."),
        [t("1.986,5 %", 1986.5, "percent")]
    );
    assert_eq!(
        german("Es waren 51'000 %."),
        [t("51'000 %", 51_000.0, "percent")]
    );
    for (text, value) in [("1.986", 1986.0), ("2,1", 2.1), ("51’000", 51_000.0)] {
        let toks = tokenize(text, true);
        assert_eq!(toks.len(), 1, "{text}");
        assert_eq!(parse_digits(text, true), Some(value));
    }
    // Apostrophe groups read in English too; a decimal comma does not.
    assert_eq!(
        one("About 51'000 people came."),
        t("51'000 people", 51_000.0, "people")
    );
    assert!(decimal_comma(Some("de")) && !decimal_comma(Some("en")) && !decimal_comma(None));
}

#[test]
fn no_english_noun_rules_on_other_languages() {
    let in_language = |body: &str, code: &str| -> Vec<(String, f64, String)> {
        find(body, &CharIndex::new(body), Some(code))
            .into_iter()
            .map(|a| (a.text, a.value, a.unit))
            .collect()
    };
    // A day before a month and a function word: no counted noun `dans`.
    let found = in_language("Le sommet aura lieu le 25 janvier dans la capitale.", "fr");
    assert!(
        found.iter().all(|a| a.2 != "dans" && a.2 != "janvier"),
        "{found:?}"
    );
    // Figures with a sign, a percent, a scale word or a currency word stay.
    assert_eq!(
        in_language("Der Umsatz stieg um 2,1 % auf 5 Millionen Euro.", "de"),
        [
            t("2,1 %", 2.1, "percent"),
            t("5 Millionen Euro", 5e6, "EUR")
        ]
    );
    assert_eq!(
        in_language("Le groupe a perdu 3,5 milliards d'euros.", "fr"),
        [t("3,5 milliards d'euros", 3.5e9, "EUR")]
    );
    // English number words do not start amounts in German (`one`, `a`).
    assert!(in_language("Die Band spielte a capella und one more time.", "de").is_empty());
    // Unknown language: English rules as before.
    assert_eq!(
        one("About 51'000 people came."),
        t("51'000 people", 51_000.0, "people")
    );
}

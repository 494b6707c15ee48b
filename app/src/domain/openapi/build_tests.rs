use super::*;
use crate::domain::openapi::parse::parse;
use crate::domain::openapi::parse::tests::{MINIMAL_31, PETSTORE_30};

fn petstore() -> ApiReference {
    reference(&parse(PETSTORE_30).expect("valid").root)
}

#[test]
fn operations_are_grouped_by_tag_with_unique_anchors() {
    let r = petstore();
    assert_eq!((r.title.as_str(), r.version.as_str()), ("Petstore", "1.0"));
    assert_eq!(r.description, "The **pets** API.");
    let groups: Vec<(&str, usize)> = r
        .groups
        .iter()
        .map(|g| (g.tag.as_str(), g.operations.len()))
        .collect();
    assert_eq!(groups, [("pets", 2), ("default", 1)]);
    assert_eq!(r.groups[0].description, "Everything about pets");
    let anchors: Vec<&str> = r.operations().map(|o| o.anchor.as_str()).collect();
    assert!(anchors.contains(&"getPet"), "{anchors:?}");
    assert!(anchors.contains(&"post-pets"), "{anchors:?}");
    assert!(anchors.contains(&"get-health"), "{anchors:?}");
    let get = r
        .operations()
        .find(|o| o.anchor == "getPet")
        .expect("getPet");
    assert_eq!(
        (get.method.as_str(), get.path.as_str()),
        ("GET", "/pets/{petId}")
    );
    assert!(get.matches("find") && get.matches("/pets") && !get.matches("zebra"));
}

#[test]
fn path_parameters_merge_in_and_are_required() {
    let r = petstore();
    let get = r
        .operations()
        .find(|o| o.anchor == "getPet")
        .expect("getPet");
    let names: Vec<(&str, ParamLocation, bool)> = get
        .parameters
        .iter()
        .map(|p| (p.name.as_str(), p.location, p.required))
        .collect();
    assert_eq!(
        names,
        [
            ("petId", ParamLocation::Path, true),
            ("verbose", ParamLocation::Query, false)
        ]
    );
    assert_eq!(get.parameters[0].example.as_deref(), Some("7"));
    assert_eq!(
        get.parameters[0].schema.as_ref().map(|s| s.kind.as_str()),
        Some("integer (int64)")
    );
}

#[test]
fn schemas_resolve_refs_and_stop_at_cycles() {
    let r = petstore();
    let get = r
        .operations()
        .find(|o| o.anchor == "getPet")
        .expect("getPet");
    let ok = &get
        .responses
        .iter()
        .find(|r| r.status == "200")
        .expect("200")
        .media[0];
    assert_eq!(ok.content_type, "application/json");
    let pet = ok.schema.as_ref().expect("schema");
    assert_eq!(
        (pet.kind.as_str(), pet.name.as_deref()),
        ("object", Some("Pet"))
    );
    let prop = |n: &str| pet.properties.iter().find(|p| p.name == n).expect(n);
    assert!(prop("name").required && !prop("id").required);
    assert_eq!(prop("name").schema.description, "The pet's name");
    assert_eq!(prop("tag").schema.kind, "string | null");
    assert_eq!(prop("tag").schema.enum_values, ["dog", "cat"]);
    assert_eq!(prop("toys").schema.kind, "array of Toy");
    let toy = prop("toys").schema.items.as_ref().expect("items");
    assert_eq!(toy.properties[0].name, "kind");
    // Pet.parent is a Pet: shown by name, not expanded again.
    assert!(prop("parent").schema.truncated);
    assert_eq!(prop("parent").schema.name.as_deref(), Some("Pet"));
    // An example made from the schema, the cycle cut.
    let example: serde_json::Value =
        serde_json::from_str(ok.example.as_deref().expect("example")).expect("json");
    assert_eq!(example["name"], "string");
    assert_eq!(example["tag"], "dog");
    assert_eq!(example["born"], "2026-01-01T00:00:00Z");
    assert_eq!(example["toys"][0]["kind"], "string");
    assert!(example["parent"].is_null());
}

#[test]
fn the_documents_own_examples_win() {
    let r = petstore();
    let post = r
        .operations()
        .find(|o| o.anchor == "post-pets")
        .expect("post");
    let body = post.request_body.as_ref().expect("body");
    assert!(body.required);
    let example: serde_json::Value =
        serde_json::from_str(body.media[0].example.as_deref().expect("ex")).expect("json");
    assert_eq!(example, serde_json::json!({"name": "Rex", "tag": "dog"}));
    let r = reference(&parse(MINIMAL_31).expect("valid").root);
    let echo = r.operations().next().expect("echo");
    let media = &echo.request_body.as_ref().expect("body").media[0];
    assert_eq!(
        media.schema.as_ref().map(|s| s.kind.as_str()),
        Some("object | null")
    );
    let example: serde_json::Value =
        serde_json::from_str(media.example.as_deref().expect("ex")).expect("json");
    assert_eq!(example, serde_json::json!({"msg": "hi"}));
}

#[test]
fn a_multiplying_document_stays_within_the_node_budget() {
    // Ten levels of components, each with ten properties referring to the next level: fully
    // expanded, 10^10 nodes.
    let mut schemas = serde_json::Map::new();
    for level in 0..10 {
        let props: serde_json::Map<String, serde_json::Value> = (0..10)
            .map(|i| {
                (
                    format!("p{i}"),
                    serde_json::json!({"$ref": format!("#/components/schemas/L{}", level + 1)}),
                )
            })
            .collect();
        schemas.insert(
            format!("L{level}"),
            serde_json::json!({"type": "object", "properties": props}),
        );
    }
    schemas.insert("L10".into(), serde_json::json!({"type": "string"}));
    let paths: serde_json::Map<String, serde_json::Value> = (0..50)
        .map(|i| {
            (
                format!("/x{i}"),
                serde_json::json!({"get": {"responses": {"200": {"description": "x",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/L0"}}}}}}}),
            )
        })
        .collect();
    let doc = serde_json::json!({"openapi": "3.1.0", "info": {"title": "t", "version": "1"},
        "paths": paths, "components": {"schemas": schemas}});
    let started = std::time::Instant::now();
    let r = reference(&doc);
    let took = started.elapsed();
    assert!(took < std::time::Duration::from_secs(5), "{took:?}");
    assert_eq!(r.operations().count(), 50);
    let size = serde_json::to_string(&r).expect("json").len();
    assert!(size < 40_000_000, "{size}");
}

use super::*;

/// A small but complete OpenAPI 3.0 document, in YAML with numeric response codes.
pub(crate) const PETSTORE_30: &str = r#"openapi: 3.0.3
info:
  title: Petstore
  version: "1.0"
  description: The **pets** API.
tags:
  - name: pets
    description: Everything about pets
paths:
  /pets/{petId}:
    parameters:
      - name: petId
        in: path
        required: true
        schema: { type: integer, format: int64 }
        example: 7
    get:
      tags: [pets]
      operationId: getPet
      summary: Find a pet
      parameters:
        - name: verbose
          in: query
          schema: { type: boolean }
      responses:
        200:
          description: The pet
          content:
            application/json:
              schema: { $ref: '#/components/schemas/Pet' }
        404:
          description: No such pet
  /pets:
    post:
      tags: [pets]
      summary: Add a pet
      requestBody:
        required: true
        content:
          application/json:
            schema: { $ref: '#/components/schemas/Pet' }
            example: { name: Rex, tag: dog }
      responses:
        "201": { description: Created }
  /health:
    get:
      responses:
        default: { description: Fine }
components:
  schemas:
    Pet:
      type: object
      required: [name]
      properties:
        id: { type: integer, format: int64 }
        name: { type: string, description: The pet's name }
        tag: { type: string, nullable: true, enum: [dog, cat] }
        born: { type: string, format: date-time }
        parent: { $ref: '#/components/schemas/Pet' }
        toys:
          type: array
          items: { $ref: '#/components/schemas/Toy' }
    Toy:
      type: object
      properties:
        kind: { type: string }
"#;

pub(crate) const MINIMAL_31: &str = r#"{
  "openapi": "3.1.0",
  "info": { "title": "Echo", "version": "2.0" },
  "paths": {
    "/echo": {
      "post": {
        "operationId": "echo",
        "requestBody": { "content": { "application/json": {
          "schema": { "type": ["object", "null"], "properties": { "msg": { "type": "string", "examples": ["hi"] } } } } } },
        "responses": { "200": { "description": "Echoed" } }
      }
    }
  }
}"#;

fn message(text: &str) -> String {
    let e = parse(text).expect_err("refused");
    assert_eq!(e.field, FIELD);
    e.message
}

#[test]
fn openapi_30_yaml_and_31_json_are_accepted() {
    let p = parse(PETSTORE_30).expect("3.0");
    assert_eq!((p.format, p.openapi.as_str()), (DocFormat::Yaml, "3.0.3"));
    let p = parse(MINIMAL_31).expect("3.1");
    assert_eq!((p.format, p.openapi.as_str()), (DocFormat::Json, "3.1.0"));
}

#[test]
fn errors_say_where_they_are() {
    assert!(message("").contains("Paste or upload"));
    assert!(message("   \n").contains("Paste or upload"));
    let yaml = message("openapi: 3.0.0\ninfo: [unclosed\n");
    assert!(yaml.starts_with("YAML syntax error at line"), "{yaml}");
    let json = message("{\n  \"openapi\": \"3.1.0\",\n  \"info\": }");
    assert!(json.starts_with("JSON syntax error at line 3"), "{json}");
    assert!(message("- just\n- a list\n").contains("must be an object"));
    assert!(message("swagger: '2.0'\ninfo: {}\n").contains("Swagger 2.0"));
    assert!(message("info: {title: x}\n").contains("no `openapi` field"));
    assert!(message("openapi: 3\n").contains("version string"));
    assert!(message("openapi: 4.0.0\n").contains("3.0.x and 3.1.x"));
    // The crates' models: the path of the first failure.
    let missing_info = message("openapi: 3.0.3\npaths: {}\n");
    assert!(
        missing_info.contains("Not valid OpenAPI 3.0.3"),
        "{missing_info}"
    );
    assert!(missing_info.contains("info"), "{missing_info}");
    let bad = PETSTORE_30.replace(
        "        404:\n          description: No such pet\n",
        "        404: 12\n",
    );
    let deep = message(&bad);
    // openapiv3 reads `paths` with a deserializer of its own: the path stops there.
    assert!(
        deep.contains("at paths: invalid type: integer `12`, expected struct Response"),
        "{deep}"
    );
    let bad31 = MINIMAL_31.replace("\"title\": \"Echo\", ", "");
    assert!(message(&bad31).contains("Not valid OpenAPI 3.1.0"));
}

#[test]
fn the_size_limit_holds_at_its_boundary() {
    let base = "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: {}\n#";
    let exact = format!("{base}{}", "x".repeat(MAX_DOCUMENT_BYTES - base.len()));
    assert_eq!(exact.len(), MAX_DOCUMENT_BYTES);
    assert!(parse(&exact).is_ok());
    let over = format!("{exact}x");
    assert!(message(&over).contains("at most 1048576"));
}

#[test]
fn alias_bombs_and_deep_nesting_are_refused_quickly() {
    let mut bomb = String::from(
        "openapi: 3.0.3\na: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n",
    );
    for (i, prev) in ('b'..='j').zip('a'..='i') {
        bomb.push_str(&format!(
            "{i}: &{i} [*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev}]\n"
        ));
    }
    let started = std::time::Instant::now();
    assert!(parse(&bomb).is_err());
    assert!(started.elapsed() < std::time::Duration::from_secs(2));
    let deep = format!("{}1{}", "[".repeat(10_000), "]".repeat(10_000));
    assert!(parse(&format!("openapi: 3.0.3\nx: {deep}\n")).is_err());
    assert!(parse(&format!("{{\"openapi\": \"3.0.3\", \"x\": {deep}}}")).is_err());
}

#[test]
fn too_many_operations_are_refused() {
    let mut doc = String::from("openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths:\n");
    for i in 0..=MAX_OPERATIONS {
        doc.push_str(&format!("  /p{i}:\n    get:\n      responses: {{}}\n"));
    }
    assert!(message(&doc).contains("operations: at most"));
}

#[test]
fn downloads_name_the_gateway_as_their_only_server() {
    let p =
        parse(&PETSTORE_30.replace("paths:", "servers:\n  - url: http://internal:9000\npaths:"))
            .expect("ok");
    let out = with_server(&p, "https://gw.example/gateway/O/Pets/1.0").expect("yaml");
    assert!(out.contains("https://gw.example/gateway/O/Pets/1.0"));
    assert!(!out.contains("internal:9000"));
    let again = parse(&out).expect("still valid");
    assert_eq!(again.root["servers"].as_array().map(Vec::len), Some(1));
    let p = parse(MINIMAL_31).expect("ok");
    let out = with_server(&p, "https://gw/x").expect("json");
    assert!(out.trim_start().starts_with('{'));
}

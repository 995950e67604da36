//! The README's "Testing your code" section: the test below is the one it shows, and a second
//! test keeps the two texts the same.

// README:begin
use unitysvc_sandbox::Sandbox;

/// Code under test: names the services of a group, with a client it is given.
async fn service_names(client: &unitysvc::Client, group: &str) -> unitysvc::Result<Vec<String>> {
    let page = client.groups().services(group).limit(3).send().await?;
    Ok(page.items.iter().map(|s| s.name.clone()).collect())
}

#[tokio::test]
async fn lists_the_llm_group() -> Result<(), Box<dyn std::error::Error>> {
    let sandbox = Sandbox::start().await?;
    // Both sandbox URLs and its key; UNITYSVC_* variables in the shell are ignored.
    let client = sandbox.client()?;
    let names = service_names(&client, "llm").await?;
    assert_eq!(names.len(), 3);
    // Errors are typed: an unknown group is a 404 the code can match on.
    let missing = service_names(&client, "no-such-group").await.unwrap_err();
    assert_eq!(missing.kind(), unitysvc::ErrorKind::NotFound);
    Ok(())
}
// README:end

#[test]
fn the_readme_shows_this_test_verbatim() {
    let this = include_str!("testing_your_code.rs");
    let start = this.find("// README:begin\n").expect("begin marker") + "// README:begin\n".len();
    let end = this.find("// README:end").expect("end marker");
    let shown = &this[start..end];
    let readme = include_str!("../README.md");
    assert!(
        readme.contains(shown),
        "README.md's \"Testing your code\" block differs from tests/testing_your_code.rs:\n{shown}"
    );
}

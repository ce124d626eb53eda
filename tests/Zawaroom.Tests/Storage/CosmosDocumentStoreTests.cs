using Zawaroom.Storage.Cosmos;

namespace Zawaroom.Tests.Storage;

public sealed class CosmosDocumentStoreTests
{
    [Theory]
    [InlineData("member", "a@b.com", "member:a@b.com")]
    [InlineData("room", "0f3a-x_y.z1", "room:0f3a-x_y.z1")]
    [InlineData("blob", "a/b", "blob:~YS9i")]
    public void Item_ids_are_kind_and_id_with_reserved_characters_escaped(string kind, string id, string itemId) =>
        Assert.Equal(itemId, CosmosDocumentStore.ItemId(kind, id));

    [Fact]
    public void Ids_that_differ_stay_different_after_escaping() =>
        Assert.NotEqual(CosmosDocumentStore.ItemId("k", "a/b"), CosmosDocumentStore.ItemId("k", "a%2Fb"));

    [Fact]
    public void A_plain_id_never_looks_like_an_encoded_one() =>
        Assert.NotEqual(CosmosDocumentStore.ItemId("k", "~YS9i"), CosmosDocumentStore.ItemId("k", "a/b"));

    [Fact]
    public void Without_a_connection_string_the_store_says_which_setting_is_missing()
    {
        var e = Assert.Throws<InvalidOperationException>(() => new CosmosDocumentStore(new CosmosStoreOptions()));
        Assert.Contains("Zawaroom:Cosmos:ConnectionString", e.Message);
    }
}

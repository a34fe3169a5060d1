//! Atrium's vector index endpoints (`/api/atrium/vector_*`). Each answers `None` from a
//! deployment that does not serve them (a Convex deployment: vector search runs only in
//! its actions).

use atrium_protocol::atrium::{
    VectorIndexList, VectorRecallRequest, VectorRecallResponse, VectorSampleRequest,
    VectorSampleResponse, VectorSearchRequest, VectorSearchResponse,
};

use crate::{ClientError, DeploymentClient};

impl DeploymentClient {
    /// Every vector index with its state.
    pub async fn vector_indexes(&self) -> Result<Option<VectorIndexList>, ClientError> {
        self.extension(self.http.get(self.endpoint("atrium/vector_indexes"))).await
    }

    pub async fn vector_search(
        &self,
        request: &VectorSearchRequest,
    ) -> Result<Option<VectorSearchResponse>, ClientError> {
        self.extension(self.http.post(self.endpoint("atrium/vector_search")).json(request)).await
    }

    pub async fn vector_sample(
        &self,
        request: &VectorSampleRequest,
    ) -> Result<Option<VectorSampleResponse>, ClientError> {
        self.extension(self.http.post(self.endpoint("atrium/vector_sample")).json(request)).await
    }

    pub async fn vector_recall(
        &self,
        request: &VectorRecallRequest,
    ) -> Result<Option<VectorRecallResponse>, ClientError> {
        self.extension(self.http.post(self.endpoint("atrium/vector_recall")).json(request)).await
    }
}

"""What crosses an organization's boundary: who may see whose people, and the audit of
every such read. Deployment-to-deployment federation will live here too."""

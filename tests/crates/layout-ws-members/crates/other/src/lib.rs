//! Another member of the workspace.
